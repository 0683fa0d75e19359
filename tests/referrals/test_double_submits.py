"""Double-submitted shortlist adds and referrals: the second submit gets the same outcome
or a clear message, never a 500 (the race is staged: the first submit commits between the
second one's check and its write)."""

from django.db.models import QuerySet
from django.urls import reverse

from supporters.referrals.models import Referral, ShortlistEntry
from tests.factories import UserFactory
from tests.mailbox import sent

from .factories import ExpertFactory


def looked_too_early(monkeypatch, model, method):
    """The second submit's check ran before the first one committed: it found nothing."""
    original = getattr(QuerySet, method)
    empty = None if method == "first" else False
    monkeypatch.setattr(QuerySet, method, lambda qs: empty if qs.model is model else original(qs))


def test_adding_the_same_candidate_twice_keeps_one_entry(client, world, login, monkeypatch):
    expert = ExpertFactory(name="候補 先生")
    login(world.member_a)
    url = reverse("referrals:shortlist-add", args=[world.case.pk])
    first = client.post(url, {"supporter": expert.pk}, follow=True).content.decode()
    looked_too_early(monkeypatch, ShortlistEntry, "first")
    response = client.post(url, {"supporter": expert.pk}, follow=True)
    monkeypatch.undo()
    assert response.status_code == 200
    assert "候補 先生さんを第2希望として候補に追加しました" in first
    assert "候補 先生さんを第2希望として候補に追加しました" in response.content.decode()  # the same outcome
    assert ShortlistEntry.objects.filter(case=world.case, supporter=expert).count() == 1


def test_referring_twice_refers_once_with_a_clear_message(client, world, login, monkeypatch):
    expert = ExpertFactory(name="新しい 先生", user=UserFactory(email="new-expert@example.jp"))
    entry = world.case.add_candidate(expert)
    login(world.member_a)
    url = reverse("referrals:entry-refer", args=[world.case.pk, entry.pk])
    client.post(url)
    looked_too_early(monkeypatch, Referral, "exists")
    response = client.post(url, follow=True)
    monkeypatch.undo()
    assert response.status_code == 200
    assert "新しい 先生さんにはこの案件をすでに紹介しています" in response.content.decode()
    assert Referral.objects.filter(case=world.case, supporter=expert).count() == 1
    assert len(sent()) == 1
