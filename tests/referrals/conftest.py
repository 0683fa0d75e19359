from types import SimpleNamespace

import pytest

from supporters.referrals.models import Referral
from tests.factories import PASSWORD, UserFactory, make_staff

from .factories import CaseFactory, ExpertFactory, OrganisationFactory, member_of


@pytest.fixture
def world(db):
    """Org A's case with a shortlisted, referred expert; org B; another expert; staff."""
    org_a = OrganisationFactory(name="A商工会議所")
    org_b = OrganisationFactory(name="B信用金庫", kind="bank")
    member_a = member_of(org_a, email="a@chamber.example.jp")
    member_b = member_of(org_b, email="b@bank.example.jp")
    expert = ExpertFactory(name="紹介 先生", user=UserFactory(email="expert@example.jp"))
    other_expert = ExpertFactory(name="別の 先生", user=UserFactory(email="other@example.jp"))
    case = CaseFactory(
        organisation=org_a, company_name="株式会社ひみつ商事", contact_email="himitsu@company.example.jp"
    )
    entry = case.add_candidate(expert)
    referral = Referral.objects.start(case=case, supporter=expert, actor=member_a)
    staff = make_staff(email="staff@ipa.example.jp")
    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        member_a=member_a,
        member_b=member_b,
        expert=expert,
        other_expert=other_expert,
        case=case,
        entry=entry,
        referral=referral,
        staff=staff,
    )


@pytest.fixture
def login(client):
    def as_user(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return as_user
