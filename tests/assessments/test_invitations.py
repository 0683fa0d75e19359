"""An expert starts and invites the company by an e-mailed single-use link."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Company, Invitation, Stage
from tests.factories import PASSWORD, UserFactory
from tests.mailbox import sent

from .factories import CompanyFactory

# The invitee's on-the-spot sign-up.
INVITEE = {
    "last_name": "鈴木",
    "first_name": "次郎",
    "password1": "kaizen-keikaku-2025",
    "password2": "kaizen-keikaku-2025",
}


@pytest.fixture
def invited(client, expert):
    """The expert starts an assessment; returns (assessment, join path)."""
    client.force_login(expert[0])
    response = client.post(
        reverse("assessments:start-as-expert"),
        {
            "name": "AAA株式会社",
            "industry": "wholesale",
            "employees": "50",
            "email": "Suzuki@Example.jp",
            "responsible_title": "情報システム部長",
            "responsible_name": "鈴木次郎",
        },
    )
    assert response.status_code == 302
    client.logout()
    assessment = Assessment.objects.get()
    assert assessment.expert == expert[1] and assessment.stage == Stage.INVITING
    assert len(sent()) == 1 and sent()[0].to == ["Suzuki@Example.jp"]
    path = re.search(r"https?://[^/]+(/assessments/join/[^/\s]+/)", sent()[0].body).group(1)
    return assessment, path


def test_only_the_hash_of_the_token_is_stored(invited):
    _, path = invited
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and invitation.token_hash == Invitation.hash_token(token)


def test_invitee_without_account_signs_up_on_the_spot(client, invited):
    assessment, path = invited
    page = client.get(path).content.decode()
    assert "アカウントを作成して参加する" in page and "AAA株式会社" in page
    response = client.post(
        path, {"last_name": "鈴木", "first_name": "次郎", "password1": "short", "password2": "short"}
    )
    assert "パスワード" in response.content.decode() and not Company.objects.filter(members__isnull=False).exists()
    response = client.post(path, INVITEE)
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    assessment.refresh_from_db()
    member = assessment.company.members.get()
    assert member.username == "suzuki@example.jp" and assessment.stage == Stage.SELF_CHECK
    assert client.get(assessment.get_absolute_url()).status_code == 200  # logged in
    # Single use.
    client.logout()
    response = client.get(path)
    assert response.status_code == 404 and "この招待は使えません" in response.content.decode()


def test_existing_account_logs_in_first(client, invited):
    assessment, path = invited
    UserFactory(email="suzuki@example.jp")
    page = client.get(path).content.decode()
    assert "ログインして参加する" in page and "?next=%2Fassessments%2Fjoin%2F" in page
    client.post(reverse("login"), {"username": "suzuki@example.jp", "password": PASSWORD})
    response = client.post(path, {"company": ""})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.company.members.get().username == "suzuki@example.jp"


def test_logged_in_user_can_bring_the_assessment_into_their_own_company(client, invited):
    assessment, path = invited
    user = UserFactory(email="suzuki@example.jp")
    own = CompanyFactory(name="AAA株式会社(登録済み)", members=[user])
    client.force_login(user)
    assert "登録済みの「AAA株式会社(登録済み)」として参加する" in client.get(path).content.decode()
    client.post(path, {"company": str(own.pk)})
    assessment.refresh_from_db()
    assert assessment.company == own and Company.objects.count() == 1


def test_revoked_and_expired_links_do_not_work(client, invited, expert):
    assessment, path = invited
    invitation = Invitation.objects.get()
    client.force_login(expert[0])
    client.post(reverse("assessments:revoke-invitation", args=[assessment.pk, invitation.pk]))
    client.logout()
    assert client.get(path).status_code == 404
    invitation.revoked_at = None
    invitation.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    invitation.save()
    assert client.get(path).status_code == 404
    assert (
        client.post(
            path,
            {
                "last_name": "a",
                "first_name": "b",
                "password1": "kaizen-keikaku-2025",
                "password2": "kaizen-keikaku-2025",
            },
        ).status_code
        == 404
    )
    assert not assessment.company.members.exists()


def test_a_new_invitation_replaces_the_open_one(client, invited, expert):
    assessment, old_path = invited
    client.force_login(expert[0])
    response = client.post(reverse("assessments:invite", args=[assessment.pk]), {"email": "other@example.jp"})
    assert response.status_code == 302
    client.logout()
    assert client.get(old_path).status_code == 404
    assert Invitation.objects.open().get().email == "other@example.jp"


def test_expert_can_decline(client, company_user, expert):
    client.force_login(company_user)
    client.post(reverse("assessments:start"), {"name": "AAA株式会社", "expert": "012345"})
    invitation = Invitation.objects.get()
    client.force_login(expert[0])
    client.post(reverse("assessments:decline-invitation", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status_label == "取り消し済み"
    assert Assessment.objects.get().expert is None


def test_the_expert_cannot_join_as_the_company(client, invited, expert):
    assessment, path = invited
    client.force_login(expert[0])
    response = client.post(path, {"company": ""}, follow=True)
    assert "この招待は Suzuki@Example.jp 宛てです" in response.content.decode()
    assert not assessment.company.members.exists() and Invitation.objects.get().is_open


def test_the_link_works_only_for_the_invited_address(client, invited):
    """A forwarded or leaked link: anyone signed in with another address is told whose it is."""
    assessment, path = invited
    client.force_login(UserFactory(email="someone-else@example.jp"))
    page = client.get(path)
    body = page.content.decode()
    assert page.status_code == 403
    assert "この招待は Suzuki@Example.jp 宛てです" in body and "someone-else@example.jp でログインしています" in body
    assert f'name="next" value="{path}"' in body  # log out, then back to the link
    assert client.post(path, {"company": ""}).status_code == 403
    assert not assessment.company.members.exists() and Invitation.objects.get().is_open
    # Logging out and back in as the invited address works.
    client.post(reverse("logout"), {"next": path})
    invitee = UserFactory(email="suzuki@example.jp")
    client.force_login(invitee)
    assert client.post(path, {"company": ""}).status_code == 302
    assert assessment.company.members.get() == invitee


def test_an_unverified_signup_with_the_invited_address_is_taken_over(client, invited):
    """Someone signed up with the invited address but never verified it: the link proves the
    address, so the invitee makes the account on the spot and the earlier password is gone."""
    from django.test import Client

    assessment, path = invited
    Client().post(
        reverse("signup"),
        {"email": "suzuki@example.jp", "password1": "squatter-pass-2026!", "password2": "squatter-pass-2026!"},
    )
    page = client.get(path).content.decode()
    assert "アカウントを作成して参加する" in page
    response = client.post(path, INVITEE)
    assert response.status_code == 302
    member = assessment.company.members.get()
    assert member.username == "suzuki@example.jp" and member.is_active
    assert member.check_password("kaizen-keikaku-2025") and not member.check_password("squatter-pass-2026!")


def test_a_double_submitted_signup_on_the_link_answers_without_an_error(client, invited, monkeypatch):
    """Two submits of the on-the-spot sign-up at once: the other one made the account a moment ago."""
    from django.contrib.auth import get_user_model
    from django.db.models import QuerySet

    assessment, path = invited
    UserFactory(email="suzuki@example.jp")  # committed by the other submit after this one looked
    first_lookup = QuerySet.first
    monkeypatch.setattr(
        QuerySet,
        "first",
        lambda qs: None if qs.model is get_user_model() and "suzuki" in str(qs.query) else first_lookup(qs),
    )
    monkeypatch.setattr("assessments.forms.get_user_by_email", lambda email: None)
    data = {
        "last_name": "鈴木",
        "first_name": "次郎",
        "password1": "kaizen-keikaku-2025",
        "password2": "kaizen-keikaku-2025",
    }
    response = client.post(path, data)
    monkeypatch.undo()
    assert response.status_code == 200 and "ログインして参加する" in response.content.decode()
    assert get_user_model().objects.filter(username="suzuki@example.jp").count() == 1
    assert not assessment.company.members.exists()
