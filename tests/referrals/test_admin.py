"""IPA staff manage organisations and their members in admin."""

import pytest

from tests.factories import UserFactory, login_staff, make_staff

from .factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


def test_ipa_staff_add_an_organisation_with_a_member(client):
    login_staff(client, make_staff())
    newcomer = UserFactory(email="new-member@example.jp")
    response = client.post(
        "/admin/referrals/organisation/add/",
        {
            "name": "新しい信用金庫",
            "kind": "bank",
            "region": "tohoku",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": newcomer.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert newcomer.referral_membership.organisation.name == "新しい信用金庫"
    assert client.get("/admin/referrals/membership/").status_code == 200
    assert client.get("/admin/referrals/organisation/?kind=bank").status_code == 200


def test_members_are_not_admin_users(client, login):
    login(member_of(OrganisationFactory()))
    assert client.get("/admin/referrals/organisation/").status_code == 302
