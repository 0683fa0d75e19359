"""Every URL of the feature × every kind of visitor.

Anonymous visitors are asked to log in. Object URLs answer 404 to accounts
they do not belong to (their existence is not disclosed); pages without an
object answer 403 with the reason. Staff pages send staff who have not passed
the second factor to that step.
"""

import pytest
from django.urls import reverse

from tests.factories import login_staff

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "member_a", "member_b", "expert", "other_expert", "staff", "staff_without_second_factor"]


def _urls(w):
    c, e, r = w.case.pk, w.entry.pk, w.referral.pk
    return {
        # name: (method, url, data, {viewer: expected status})
        "home": (
            "get",
            reverse("referrals:home"),
            None,
            {
                "member_a": 302,
                "expert": 302,
                "other_expert": 302,
                "staff": 302,
                "staff_without_second_factor": 302,
                "member_b": 302,
            },
        ),
        "case-list": ("get", reverse("referrals:case-list"), None, {"member_a": 200, "member_b": 200}),
        "case-create": ("get", reverse("referrals:case-create"), None, {"member_a": 200, "member_b": 200}),
        "case-detail": ("get", reverse("referrals:case-detail", args=[c]), None, {"member_a": 200}),
        "case-edit": ("get", reverse("referrals:case-edit", args=[c]), None, {"member_a": 200}),
        "case-status": ("post", reverse("referrals:case-status", args=[c]), {"action": "close"}, {"member_a": 302}),
        "shortlist": ("get", reverse("referrals:shortlist", args=[c]), None, {"member_a": 200}),
        "shortlist-add": (
            "post",
            reverse("referrals:shortlist-add", args=[c]),
            {"supporter": w.other_expert.pk},
            {"member_a": 302},
        ),
        "entry-move": ("post", reverse("referrals:entry-move", args=[c, e]), {"direction": "down"}, {"member_a": 302}),
        "entry-reason": ("get", reverse("referrals:entry-reason", args=[c, e]), None, {"member_a": 200}),
        "entry-refer": ("post", reverse("referrals:entry-refer", args=[c, e]), {}, {"member_a": 302}),
        "entry-remove": ("post", reverse("referrals:entry-remove", args=[c, e]), {}, {"member_a": 302}),
        "sheet": ("get", reverse("referrals:sheet", args=[c]), None, {"member_a": 200}),
        "case-referral": ("get", reverse("referrals:case-referral", args=[c, r]), None, {"member_a": 200}),
        "inbox": ("get", reverse("referrals:inbox"), None, {"expert": 200, "other_expert": 200}),
        "inbox-detail": ("get", reverse("referrals:inbox-detail", args=[r]), None, {"expert": 200}),
        "inbox-move": (
            "post",
            reverse("referrals:inbox-detail", args=[r]),
            {"to": "declined", "on": "2000-01-01"},
            {"expert": 400},
        ),
        "case-referral-move": (
            "post",
            reverse("referrals:case-referral", args=[c, r]),
            {"to": "failed", "on": "2000-01-01"},
            {"member_a": 400},
        ),
        "flow": ("get", reverse("referrals:flow"), None, {"staff": 200}),
        "flow-csv": ("get", reverse("referrals:flow-csv"), None, {"staff": 200}),
    }


# Pages that name no object: a refusal there is a 403 that says why.
LIST_PAGES = {"home", "case-list", "case-create", "inbox", "flow", "flow-csv"}
STAFF_PAGES = {"flow", "flow-csv"}


def _expected(viewer, name, allowed):
    if viewer in allowed:
        return allowed[viewer]
    if viewer == "anonymous" or (viewer == "staff_without_second_factor" and name in STAFF_PAGES):
        return 302
    return 403 if name in LIST_PAGES else 404


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(
    "name",
    [
        "home",
        "case-list",
        "case-create",
        "case-detail",
        "case-edit",
        "case-status",
        "shortlist",
        "shortlist-add",
        "entry-move",
        "entry-reason",
        "entry-refer",
        "entry-remove",
        "sheet",
        "case-referral",
        "inbox",
        "inbox-detail",
        "inbox-move",
        "case-referral-move",
        "flow",
        "flow-csv",
    ],
)
def test_access_matrix(client, world, login, viewer, name):
    method, url, data, allowed = _urls(world)[name]
    if viewer == "staff":
        login_staff(client, world.staff)
    elif viewer == "staff_without_second_factor":
        login(world.staff)
    elif viewer != "anonymous":
        login(getattr(world, viewer).user if viewer.endswith("expert") else getattr(world, viewer))
    response = getattr(client, method)(url, data or {})
    expected = _expected(viewer, name, allowed)
    assert response.status_code == expected, (name, viewer)
    if viewer == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif viewer == "staff_without_second_factor" and name in STAFF_PAGES:
        assert response["Location"].startswith(reverse("two-factor-verify"))
    if expected in (403, 404):
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


def test_plain_user_is_refused_everywhere_but_told_what_referrals_are(client, world, login):
    from tests.factories import UserFactory

    login(UserFactory())
    for name, (method, url, data, _) in _urls(world).items():
        if name == "home":  # the menu's 「紹介」: what referrals are and how a company gets one
            page = client.get(url).content.decode()
            assert "支援機関からの紹介" in page and "商工会議所・商工会などの支援機関の窓口にご相談ください" in page
            continue
        assert getattr(client, method)(url, data or {}).status_code == (403 if name in LIST_PAGES else 404), url


def test_nothing_changed_by_refused_posts(client, world, login):
    login(world.member_b)
    client.post(reverse("referrals:case-status", args=[world.case.pk]), {"action": "close"})
    client.post(reverse("referrals:entry-remove", args=[world.case.pk, world.entry.pk]))
    world.case.refresh_from_db()
    assert world.case.status == "referred"
    assert world.case.shortlist.count() == 1
