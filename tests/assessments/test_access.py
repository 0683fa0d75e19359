"""Every URL of the app against every kind of visitor: only the company's
users, the assigned expert and staff see an assessment; anonymous visitors
are asked to log in, and other accounts get 404."""

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from assessments.models import Assessment, Invitation, Side
from tests.factories import UserFactory, login_staff

from .factories import CompanyFactory, expert_with_account, hold_meetings, make_assessment


@pytest.fixture
def world(company_user, expert, staff):
    expert_user, supporter = expert
    assessment = make_assessment(company_user=company_user, expert=supporter, stage="planning")
    hold_meetings(assessment)
    revision = assessment.sheet_revisions.create(side=Side.COMPANY, version=1, data={})
    invitation, _ = Invitation.new(assessment=assessment, side=Side.EXPERT, supporter=supporter)
    invitation.save()
    other_company = UserFactory(email="other-company@example.jp")
    CompanyFactory(members=[other_company])
    other_expert, _ = expert_with_account(registration_no="099999")
    return {
        "assessment": assessment,
        "revision": revision,
        "invitation": invitation,
        "users": {
            "anonymous": None,
            "other_company": other_company,
            "other_expert": other_expert,
            "expert": expert_user,
            "company": company_user,
            "staff": staff,
        },
    }


def log_in(client, world, persona):
    user = world["users"][persona]
    if persona == "staff":
        login_staff(client, user)
    elif user:
        client.force_login(user)


def urls(world):
    a = world["assessment"]
    pk = a.pk
    return {
        # name: (url, method, who may use it)
        "detail": (reverse("assessments:detail", args=[pk]), "get", "view"),
        "sheet": (reverse("assessments:sheet", args=[pk]), "get", "view"),
        "sheet-history": (reverse("assessments:sheet-history", args=[pk]), "get", "view"),
        "sheet-revision": (reverse("assessments:sheet-revision", args=[pk, world["revision"].pk]), "get", "view"),
        "sheet-xlsx": (reverse("assessments:sheet-xlsx", args=[pk]), "get", "view"),
        "summary": (reverse("assessments:summary", args=[pk]), "get", "view"),
        "plan": (reverse("assessments:plan", args=[pk]), "get", "view"),
        "plan-revision": (reverse("assessments:plan-revision", args=[pk, 1]), "get", "view"),
        "plan-xlsx": (reverse("assessments:plan-xlsx", args=[pk]), "get", "view"),
        "plan-revision-xlsx": (reverse("assessments:plan-revision-xlsx", args=[pk, 1]), "get", "view"),
        "meetings": (reverse("assessments:meetings", args=[pk]), "get", "participant"),
        "invite": (reverse("assessments:invite", args=[pk]), "get", "participant"),
        "sheet-edit": (reverse("assessments:sheet-edit", args=[pk]), "get", "participant"),
        "plan-edit": (reverse("assessments:plan-edit", args=[pk]), "get", "participant"),
        "revoke-invitation": (
            reverse("assessments:revoke-invitation", args=[pk, world["invitation"].pk]),
            "post",
            "participant",
        ),
        "plan-agree": (reverse("assessments:plan-agree", args=[pk]), "post", "participant"),
        "plan-revise": (reverse("assessments:plan-revise", args=[pk]), "post", "participant"),
        "submit-self-check": (reverse("assessments:submit-self-check", args=[pk]), "post", "company"),
        "submit-review": (reverse("assessments:submit-review", args=[pk]), "post", "expert"),
    }


ALLOWED = {
    "view": {"company", "expert", "staff"},
    "participant": {"company", "expert"},
    "company": {"company"},
    "expert": {"expert"},
}
PERSONAS = ["anonymous", "other_company", "other_expert", "expert", "company", "staff"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_assessment_url(client, world, persona):
    log_in(client, world, persona)
    for name, (url, method, rule) in urls(world).items():
        response = getattr(client, method)(url)
        if persona in ALLOWED[rule]:
            assert response.status_code in (200, 302), (name, persona, response.status_code)
        elif persona == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name
        else:
            assert response.status_code == 404, (name, persona, response.status_code)


@pytest.mark.parametrize("persona", ["anonymous", "other_company", "other_expert", "staff"])
def test_outsiders_change_nothing(client, world, persona):
    user = world["users"][persona]
    if user:
        client.force_login(user)
    a = world["assessment"]
    client.post(reverse("assessments:plan-agree", args=[a.pk]), {"version": a.plans.get().version})
    client.post(reverse("assessments:revoke-invitation", args=[a.pk, world["invitation"].pk]))
    plan = a.plans.get()
    assert plan.company_agreed_at is None and plan.expert_agreed_at is None
    world["invitation"].refresh_from_db()
    assert world["invitation"].revoked_at is None


def test_expert_invitation_answers_are_only_for_the_invited_expert(client, world):
    invitation = world["invitation"]
    for persona in ["other_company", "other_expert", "company", "staff"]:
        client.force_login(world["users"][persona])
        for name in ["accept-invitation", "decline-invitation"]:
            assert client.post(reverse(f"assessments:{name}", args=[invitation.pk])).status_code == 404
    client.logout()
    assert client.post(reverse("assessments:accept-invitation", args=[invitation.pk])).status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.revoked_at is None


@pytest.mark.parametrize("name", ["list", "start", "start-as-expert"])
def test_pages_without_an_assessment_ask_anonymous_visitors_to_log_in(client, name):
    response = client.get(reverse(f"assessments:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_start_as_expert_is_only_for_published_experts_with_an_account(client, company_user, expert):
    client.force_login(company_user)
    refused = client.get(reverse("assessments:start-as-expert"))
    assert refused.status_code == 403 and "掲載中の専門家の方が使います" in refused.content.decode()
    client.force_login(expert[0])
    assert client.get(reverse("assessments:start-as-expert")).status_code == 200


def test_lists_show_only_ones_own_assessments(client, world):
    a = world["assessment"]
    for persona, sees in [
        ("other_company", False),
        ("other_expert", False),
        ("company", True),
        ("expert", True),
        ("staff", True),
    ]:
        log_in(client, world, persona)
        body = client.get(reverse("assessments:list")).content.decode()
        assert (a.get_absolute_url() in body) is sees, persona


def test_unknown_join_token_is_404(client):
    assert client.get(reverse("assessments:invitation", args=["not-a-token"])).status_code == 404


def test_an_invited_expert_sees_nothing_until_accepting(client, company_user, expert):
    client.force_login(company_user)
    client.post(reverse("assessments:start"), {"name": "AAA株式会社", "expert": "012345"})
    a = Assessment.objects.get()
    client.force_login(expert[0])
    assert client.get(a.get_absolute_url()).status_code == 404
    client.post(reverse("assessments:accept-invitation", args=[Invitation.objects.get().pk]))
    assert client.get(a.get_absolute_url()).status_code == 200


def test_staff_without_the_second_factor_are_sent_to_it_first(client, world):
    """A staff password alone opens no assessment: the second factor, then back."""
    client.force_login(world["users"]["staff"])
    a = world["assessment"]
    for name in ["detail", "sheet", "sheet-xlsx", "summary", "plan", "plan-xlsx"]:
        url = urls(world)[name][0]
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"] == reverse("two-factor-verify") + "?" + urlencode({"next": url})
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert client.get(reverse("assessments:list")).content.decode().count(a.get_absolute_url()) == 0


def test_assessment_pages_and_files_are_never_cached(client, world):
    client.force_login(world["users"]["company"])
    for name in ["detail", "sheet", "sheet-xlsx", "summary", "plan", "plan-xlsx"]:
        response = client.get(urls(world)[name][0])
        assert response.status_code == 200, name
        assert set(response["Cache-Control"].replace(" ", "").split(",")) >= {"private", "no-store"}, name
