"""Every URL of the feature × every kind of visitor.

Object URLs answer 404 to anyone they do not belong to (anonymous included);
list pages without an object send anonymous visitors to the login page.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "member_a", "member_b", "expert", "other_expert", "staff"]


def _urls(w):
    c, e, r = w.case.pk, w.entry.pk, w.referral.pk
    return {
        # name: (method, url, data, {viewer: expected status})
        "home": ("get", reverse("referrals:home"), None, {"member_a": 302, "expert": 302, "other_expert": 302, "staff": 302, "member_b": 302}),
        "case-list": ("get", reverse("referrals:case-list"), None, {"member_a": 200, "member_b": 200}),
        "case-create": ("get", reverse("referrals:case-create"), None, {"member_a": 200, "member_b": 200}),
        "case-detail": ("get", reverse("referrals:case-detail", args=[c]), None, {"member_a": 200}),
        "case-edit": ("get", reverse("referrals:case-edit", args=[c]), None, {"member_a": 200}),
        "case-status": ("post", reverse("referrals:case-status", args=[c]), {"action": "close"}, {"member_a": 302}),
        "shortlist": ("get", reverse("referrals:shortlist", args=[c]), None, {"member_a": 200}),
        "shortlist-add": ("post", reverse("referrals:shortlist-add", args=[c]), {"supporter": w.other_expert.pk}, {"member_a": 302}),
        "entry-move": ("post", reverse("referrals:entry-move", args=[c, e]), {"direction": "down"}, {"member_a": 302}),
        "entry-reason": ("get", reverse("referrals:entry-reason", args=[c, e]), None, {"member_a": 200}),
        "entry-refer": ("post", reverse("referrals:entry-refer", args=[c, e]), {}, {"member_a": 302}),
        "entry-remove": ("post", reverse("referrals:entry-remove", args=[c, e]), {}, {"member_a": 302}),
        "sheet": ("get", reverse("referrals:sheet", args=[c]), None, {"member_a": 200}),
        "case-referral": ("get", reverse("referrals:case-referral", args=[c, r]), None, {"member_a": 200}),
        "inbox": ("get", reverse("referrals:inbox"), None, {"expert": 200, "other_expert": 200}),
        "inbox-detail": ("get", reverse("referrals:inbox-detail", args=[r]), None, {"expert": 200}),
        "inbox-move": ("post", reverse("referrals:inbox-detail", args=[r]), {"to": "declined", "on": "2000-01-01"}, {"expert": 400}),
        "case-referral-move": ("post", reverse("referrals:case-referral", args=[c, r]), {"to": "failed", "on": "2000-01-01"}, {"member_a": 400}),
        "flow": ("get", reverse("referrals:flow"), None, {"staff": 200}),
        "flow-csv": ("get", reverse("referrals:flow-csv"), None, {"staff": 200}),
    }


# Pages that have no object: anonymous visitors are asked to log in.
LIST_PAGES = {"home", "case-list", "case-create", "inbox", "flow", "flow-csv"}


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(
    "name",
    ["home", "case-list", "case-create", "case-detail", "case-edit", "case-status", "shortlist", "shortlist-add",
     "entry-move", "entry-reason", "entry-refer", "entry-remove", "sheet", "case-referral", "inbox", "inbox-detail",
     "inbox-move", "case-referral-move", "flow", "flow-csv"],
)
def test_access_matrix(client, world, login, viewer, name):
    method, url, data, allowed = _urls(world)[name]
    if viewer != "anonymous":
        login(getattr(world, viewer).user if viewer.endswith("expert") else getattr(world, viewer))
    response = getattr(client, method)(url, data or {})
    if viewer in allowed:
        expected = allowed[viewer]
    elif viewer == "anonymous" and name in LIST_PAGES:
        expected = 302
    else:
        expected = 404
    assert response.status_code == expected, (name, viewer)
    if viewer == "anonymous" and expected == 302:
        assert response["Location"].startswith(reverse("login"))
    if expected == 404:
        body = response.content.decode()
        assert "ひみつ" not in body and "himitsu" not in body


def test_home_sends_each_role_to_its_page(client, world, login):
    targets = {
        world.member_a: reverse("referrals:case-list"),
        world.expert.user: reverse("referrals:inbox"),
        world.staff: reverse("referrals:flow"),
    }
    for user, target in targets.items():
        login(user)
        assert client.get(reverse("referrals:home"))["Location"] == target
        client.logout()


def test_plain_user_gets_404_everywhere(client, world, login):
    from tests.factories import UserFactory

    login(UserFactory())
    for method, url, data, _ in _urls(world).values():
        assert getattr(client, method)(url, data or {}).status_code == 404, url


def test_nothing_changed_by_refused_posts(client, world, login):
    login(world.member_b)
    client.post(reverse("referrals:case-status", args=[world.case.pk]), {"action": "close"})
    client.post(reverse("referrals:entry-remove", args=[world.case.pk, world.entry.pk]))
    world.case.refresh_from_db()
    assert world.case.status == "referred"
    assert world.case.shortlist.count() == 1
