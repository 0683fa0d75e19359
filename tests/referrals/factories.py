"""Factories for the referral tests."""

import factory

from supporters.referrals.models import Case, Membership, Organisation, Referral, ShortlistEntry
from tests.factories import SupporterFactory, UserFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"テスト商工会議所{n}")
    kind = Organisation.Kind.CHAMBER
    region = "kanto"
    contact_name = "相談窓口"
    contact_email = factory.Sequence(lambda n: f"madoguchi{n}@chamber.example.jp")
    contact_phone = "03-0000-0000"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    organisation = factory.SubFactory(OrganisationFactory)
    company_name = factory.Sequence(lambda n: f"株式会社秘密{n}")
    contact_name = "総務 山田"
    contact_email = factory.Sequence(lambda n: f"secret{n}@company.example.jp")
    contact_phone = "03-1111-2222"
    prefecture = "tokyo"
    industry = "services"
    employees = 30
    themes = ("policy",)
    forms = ("visit",)
    periods = ("spot",)
    budget = "20k-30k"


class ExpertFactory(SupporterFactory):
    """A published entry owned by an account."""

    user = factory.SubFactory(UserFactory)


class ShortlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShortlistEntry

    case = factory.SubFactory(CaseFactory)
    supporter = factory.SubFactory(ExpertFactory)
    position = factory.Sequence(lambda n: n + 1)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    supporter = factory.SubFactory(ExpertFactory)


def member_of(organisation=None, **user_attrs):
    """A user who belongs to ``organisation`` (a new one if not given)."""
    user = UserFactory(**user_attrs)
    MembershipFactory(user=user, organisation=organisation or OrganisationFactory())
    return user
