"""Referrals to experts without an account: by e-mail with a signed link to accept or decline
(and one to claim the entry); the company's details only after acceptance (docs/decisions/0710)."""

import re

import pytest
from django.urls import reverse

from supporters.models import ClaimLink, Supporter
from supporters.referrals import services
from supporters.referrals.models import Referral, ReferralEvent, delivery
from tests.factories import SupporterFactory, UserFactory
from tests.mailbox import sent

pytestmark = pytest.mark.django_db
PRIVATE = "mailed-expert@example.jp"
ANSWER = re.compile(r"http://\S+(/referrals/answer/[^/\s]+/)")
CLAIM = re.compile(r"http://\S+(/supporters/claim/[^/\s]+/)")
SECRETS = ("株式会社ひみつ商事", "himitsu@company.example.jp", "03-1111-2222")


@pytest.fixture
def mailed(world, client, login):
    """An imported expert (no account, a private address) referred from org A's case by mail."""
    expert = SupporterFactory(
        name="メール 先生", contact_email=PRIVATE, email="public@example.jp", hidden_fields=["email"]
    )
    entry = world.case.add_candidate(expert)
    login(world.member_a)
    url = reverse("referrals:entry-refer", args=[world.case.pk, entry.pk])
    page = client.get(url).content.decode()
    assert (
        "登録の連絡先メールアドレス(非公開)にメールで届きます" in page
        and "メール 先生さんに紹介を送る</button>" in page
    )
    assert PRIVATE not in page
    client.post(url)
    client.logout()
    (message,) = sent()
    return expert, Referral.objects.get(supporter=expert), message


def answer_path(message) -> str:
    return ANSWER.search(message.body).group(1)


def test_the_referral_reaches_the_entrys_address_without_company_details(mailed, world):
    expert, referral, message = mailed
    assert message.to == [PRIVATE]
    assert "A商工会議所" in message.subject
    assert not any(secret in message.body for secret in SECRETS)
    assert ANSWER.search(message.body) and CLAIM.search(message.body)
    assert ClaimLink.objects.get(supporter=expert).origin == ClaimLink.Origin.REFERRAL
    assert referral.status == "referred"


def test_the_link_shows_the_case_without_the_company_and_opening_it_answers_nothing(mailed, client):
    _, referral, message = mailed
    page = client.get(answer_path(message))
    text = page.content.decode()
    assert page.status_code == 200 and "紹介への回答" in text and "受諾する" in text and "辞退する" in text
    assert not any(secret in text for secret in SECRETS)
    assert "企業名・連絡先は、紹介を受諾すると表示されます。" in text
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]
    referral.refresh_from_db()
    assert referral.status == "referred"


def test_accepting_shows_the_company_and_tells_the_organisation(mailed, client, world):
    _, referral, message = mailed
    path = answer_path(message)
    response = client.post(path, {"answer": "accepted"}, follow=True)
    text = response.content.decode()
    assert "紹介を受諾しました。企業名と連絡先をこのページに表示しています。" in text
    assert all(secret in text for secret in SECRETS)
    assert "紹介への回答" not in text
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.accepted_at is not None
    event = referral.events.last()
    assert event.role == "expert" and event.actor is None and event.to_status == "accepted"
    (notice,) = sent()[1:]
    assert notice.to == [world.org_a.contact_email] and "受諾" in notice.subject


def test_the_answer_is_single_use_and_a_double_submit_is_no_error(mailed, client):
    _, referral, message = mailed
    path = answer_path(message)
    client.post(path, {"answer": "accepted"})
    again = client.post(path, {"answer": "accepted"}, follow=True)
    assert "すでに「受諾」と回答しています" in again.content.decode()
    changed = client.post(path, {"answer": "declined"})
    text = changed.content.decode()
    assert changed.status_code == 409
    assert "すでに「受諾」になっているため回答できません" in text and "A商工会議所にご連絡ください" in text
    assert ReferralEvent.objects.filter(referral=referral).count() == 2  # 紹介済, 受諾: nothing more
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_declining_keeps_the_company_hidden(mailed, client):
    _, referral, message = mailed
    path = answer_path(message)
    response = client.post(path, {"answer": "declined", "reason": "日程が合わないため"}, follow=True)
    text = response.content.decode()
    assert "紹介を辞退しました" in text and "辞退と回答済み" in text
    assert not any(secret in text for secret in SECRETS)
    referral.refresh_from_db()
    assert referral.status == "declined" and referral.events.last().reason == "日程が合わないため"


def test_an_answer_must_be_chosen(mailed, client):
    _, referral, message = mailed
    response = client.post(answer_path(message), {"answer": ""})
    assert response.status_code == 400 and "回答を選んでください" in response.content.decode()


def test_a_bad_or_stale_link_says_why(mailed, client):
    expert, referral, message = mailed
    path = answer_path(message)
    response = client.get(path[:-3] + "xx/")
    assert response.status_code == 404 and "このリンクは使えません" in response.content.decode()
    # The entry's address changed since: links sent to the old one stop working.
    Supporter.objects.filter(pk=expert.pk).update(contact_email="new@example.jp")
    assert client.get(path).status_code == 404
    assert client.post(path, {"answer": "accepted"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "referred"


def test_once_claimed_the_answer_moves_to_the_inbox(mailed, client):
    expert, referral, message = mailed
    owner = UserFactory(email="owner@example.jp")
    client.force_login(owner)
    client.post(CLAIM.search(message.body).group(1))  # the claim link in the referral mail
    assert Supporter.objects.get(pk=expert.pk).user == owner
    client.logout()
    page = client.get(answer_path(message))
    assert "「紹介された相談」から行ってください" in page.content.decode()
    assert client.post(answer_path(message), {"answer": "accepted"}).status_code == 409
    client.force_login(owner)
    inbox = client.get(reverse("referrals:inbox-detail", args=[referral.pk]))
    assert inbox.status_code == 200 and "紹介への回答" in inbox.content.decode()


def test_each_candidate_says_how_the_referral_would_reach_them():
    account = SupporterFactory(user=UserFactory())
    mail_only = SupporterFactory(contact_email="c@example.jp")
    public_only = SupporterFactory(email="p@example.jp", contact_email="")
    nothing = SupporterFactory(email="", contact_email="")
    ended = SupporterFactory(status=Supporter.Status.ENDED, user=UserFactory())
    assert delivery(account).can_send and not delivery(account).by_mail
    assert delivery(mail_only).can_send and delivery(mail_only).by_mail
    assert delivery(public_only).by_mail
    assert not delivery(nothing).can_send and "連絡先のメールアドレスも" in delivery(nothing).how
    assert not delivery(ended).can_send


def test_the_shortlist_page_says_experts_without_an_account_get_it_by_mail(world, client, login):
    login(world.member_a)
    page = client.get(reverse("referrals:shortlist", args=[world.case.pk])).content.decode()
    assert "お持ちでない専門家には登録の連絡先メールアドレスに届きます" in page
    assert "サイトからは届かない" not in page


def test_refer_mails_the_entry_address_directly(world):
    expert = SupporterFactory(contact_email=PRIVATE)
    entry = world.case.add_candidate(expert)
    referral = services.refer(entry=entry, actor=world.member_a, inbox_url="http://testserver/referrals/inbox/")
    assert services.referral_from_token(services.answer_token(referral)) == referral
    (message,) = sent()
    assert message.to == [PRIVATE]
