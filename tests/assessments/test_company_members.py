"""A company's users: the list, inviting colleagues by e-mail, taking users off."""

import re

import pytest
from django.urls import reverse

from assessments.models import CompanyInvitation
from tests.factories import UserFactory
from tests.mailbox import sent

from .factories import CompanyFactory, make_assessment

pytestmark = pytest.mark.django_db

SIGNUP = {
    "last_name": "佐藤",
    "first_name": "花子",
    "password1": "kaizen-keikaku-2025",
    "password2": "kaizen-keikaku-2025",
}


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.jp", last_name="山田", first_name="一郎")


@pytest.fixture
def assessment(owner):
    return make_assessment(company_user=owner, stage="inviting")


def members_url(company):
    return reverse("assessments:company-members", args=[company.pk])


def invite(client, company, email):
    """Invite from the members page; returns the join path from the e-mail."""
    response = client.post(members_url(company), {"email": email})
    assert response.status_code == 302, response.content.decode()
    return re.search(r"https?://[^/]+(/assessments/companies/join/[^/\s]+/)", sent()[-1].body).group(1)


def test_members_page_lists_the_users_and_is_linked_from_the_list(client, owner, assessment):
    client.force_login(owner)
    company = assessment.company
    assert members_url(company) in client.get(reverse("assessments:list")).content.decode()
    html = client.get(members_url(company)).content.decode()
    assert f"{owner.get_full_name()}(あなた)" in html
    assert "owner@example.jp" in html and "最後の利用者" not in html
    assert "<caption>利用者(1名)</caption>" in html


def test_only_the_companys_users_see_the_page(client, assessment):
    url = members_url(assessment.company)
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    other = CompanyFactory(members=[UserFactory(email="other@example.jp")])
    client.force_login(other.members.get())
    assert client.get(url).status_code == 404
    assert client.post(reverse("assessments:remove-member", args=[assessment.company.pk, 1])).status_code == 404


def test_a_colleague_joins_by_signing_up_from_the_link(client, owner, assessment):
    client.force_login(owner)
    path = invite(client, assessment.company, "Sato@Example.jp")
    message = sent()[-1]
    assert (
        message.to == ["sato@example.jp"] and assessment.company.name not in message.subject
    )  # typed text stays out of headers
    assert assessment.company.name in message.body
    client.logout()
    page = client.get(path).content.decode()
    assert "アカウントを作成して参加する" in page and "sato@example.jp" in page
    response = client.post(path, SIGNUP)
    assert response.status_code == 302 and response["Location"] == reverse("assessments:list")
    colleague = assessment.company.members.get(email="sato@example.jp")
    assert colleague.last_name == "佐藤"
    # Now a user of the company: the assessment is theirs too.
    assert client.get(assessment.get_absolute_url()).status_code == 200
    # Single use.
    client.logout()
    assert client.get(path).status_code == 404


def test_a_logged_in_user_joins_with_one_button(client, owner, assessment):
    client.force_login(owner)
    path = invite(client, assessment.company, "kato@example.jp")
    kato = UserFactory(email="kato@example.jp")
    client.force_login(kato)
    assert "の利用者になる" in client.get(path).content.decode()
    client.post(path)
    assert assessment.company.members.filter(pk=kato.pk).exists()
    assert CompanyInvitation.objects.get().accepted_by == kato


def test_someone_else_signed_in_cannot_use_the_link(client, owner, assessment):
    client.force_login(owner)
    path = invite(client, assessment.company, "kato@example.jp")
    intruder = UserFactory(email="intruder@example.jp")
    client.force_login(intruder)
    response = client.post(path)
    assert response.status_code == 403 and "この招待は kato@example.jp 宛てです" in response.content.decode()
    assert not assessment.company.members.filter(pk=intruder.pk).exists()
    assert CompanyInvitation.objects.get().is_open


def test_an_existing_account_is_asked_to_log_in(client, owner, assessment):
    client.force_login(owner)
    UserFactory(email="kato@example.jp")
    path = invite(client, assessment.company, "kato@example.jp")
    client.logout()
    html = client.get(path).content.decode()
    assert "ログインして参加する" in html and "アカウントを作成して参加する" not in html


@pytest.mark.parametrize(
    "email, message",
    [
        ("not-an-address", "「name@example.jp」のような形で入力してください"),
        ("owner@example.jp", "すでにこの企業の利用者です"),
    ],
)
def test_bad_invitations_are_refused_with_a_message_at_the_field(client, owner, assessment, email, message):
    client.force_login(owner)
    html = client.post(members_url(assessment.company), {"email": email}).content.decode()
    assert message in html and 'href="#id_email"' in html
    assert not sent() and not CompanyInvitation.objects.exists()


def test_a_new_invitation_to_the_same_address_replaces_the_old_one(client, owner, assessment):
    client.force_login(owner)
    first = invite(client, assessment.company, "kato@example.jp")
    second = invite(client, assessment.company, "kato@example.jp")
    client.logout()
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_revoked_invitations_no_longer_open(client, owner, assessment):
    client.force_login(owner)
    path = invite(client, assessment.company, "kato@example.jp")
    invitation = CompanyInvitation.objects.get()
    assert "kato@example.jp" in client.get(members_url(assessment.company)).content.decode()
    client.post(reverse("assessments:revoke-colleague-invitation", args=[assessment.company.pk, invitation.pk]))
    client.logout()
    response = client.get(path)
    assert response.status_code == 404 and "この招待は使えません" in response.content.decode()


def test_users_can_be_taken_off_but_never_the_last(client, owner, assessment):
    company = assessment.company
    colleague = UserFactory(email="sato@example.jp")
    company.members.add(colleague)
    client.force_login(owner)
    response = client.post(reverse("assessments:remove-member", args=[company.pk, colleague.pk]), follow=True)
    assert "利用者から外しました" in response.content.decode()
    assert list(company.members.all()) == [owner]
    response = client.post(reverse("assessments:remove-member", args=[company.pk, owner.pk]), follow=True)
    assert "最後の利用者は外せません" in response.content.decode()
    assert list(company.members.all()) == [owner]


def test_leaving_the_company_takes_you_back_to_your_list(client, owner, assessment):
    company = assessment.company
    company.members.add(UserFactory(email="sato@example.jp"))
    client.force_login(owner)
    response = client.post(reverse("assessments:remove-member", args=[company.pk, owner.pk]))
    assert response["Location"] == reverse("assessments:list")
    assert client.get(assessment.get_absolute_url()).status_code == 404


def test_members_page_query_count_is_constant(client, owner, assessment, django_assert_max_num_queries):
    client.force_login(owner)
    for _ in range(3):
        assessment.company.members.add(UserFactory())
    with django_assert_max_num_queries(8) as captured:
        client.get(members_url(assessment.company))
    for n in range(10):
        assessment.company.members.add(UserFactory())
        CompanyInvitation.new(company=assessment.company, email=f"x{n}@example.jp")[0].save()
    with django_assert_max_num_queries(len(captured)):
        client.get(members_url(assessment.company))


def test_the_colleague_can_log_in_with_the_new_password(client, owner, assessment):
    client.force_login(owner)
    path = invite(client, assessment.company, "sato@example.jp")
    client.logout()
    client.post(path, SIGNUP)
    client.logout()
    assert client.login(username="sato@example.jp", password=SIGNUP["password1"])


def test_invitations_are_limited_per_typed_address_and_per_account(client, owner, assessment):
    from tests.factories import UserFactory as Factory

    client.force_login(owner)
    for _ in range(5):
        assert client.post(members_url(assessment.company), {"email": "target@example.jp"}).status_code == 302
    response = client.post(members_url(assessment.company), {"email": "TARGET@example.jp"})
    body = response.content.decode()
    assert response.status_code == 200 and "送信できる件数を超えました" in body and 'href="#id_email"' in body
    assert len(sent()) == 5
    # Per account: whatever the addresses, 30 posts an hour.
    other = make_assessment(company_user=Factory(email="busy@example.jp"), stage="inviting")
    client.force_login(other.company.members.get())
    for n in range(30):
        client.post(members_url(other.company), {"email": f"p{n}@example.jp"})
    assert client.post(members_url(other.company), {"email": "p99@example.jp"}).status_code == 429
