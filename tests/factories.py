"""Factories shared by every app's tests."""

import datetime

import factory
from django.contrib.auth import get_user_model

from supporters.models import Supporter

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    username = factory.LazyAttribute(lambda o: o.email.lower())
    password = factory.django.Password(PASSWORD)


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    registration_no = factory.Sequence(lambda n: f"{100000 + n:06d}")
    status = Supporter.Status.PUBLISHED
    name = factory.Sequence(lambda n: f"姓{n:03d} 名{n:03d}")
    name_kana = factory.Sequence(lambda n: f"セイ{n:03d} メイ{n:03d}")
    email = factory.Sequence(lambda n: f"expert{n}@example.jp")
    residence_prefecture = "tokyo"
    residence_city = "千代田区"
    affiliation = "employed"
    experience = "5-10"
    support_experience = "yes"
    support_cases = 3
    support_years = 2
    regions = ("kanto",)
    industries = ("services",)
    themes = ("policy",)
    periods = ("spot",)
    forms = ("visit",)
    fee = "10k-20k"
    valid_until = datetime.date(2028, 3, 31)
    updated_on = datetime.date(2026, 10, 1)


def make_staff(email="staff@example.jp"):
    """An IPA職員 staff user with a confirmed TOTP device."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from config.roles import IPA_STAFF_GROUP, sync_staff_group

    user = UserFactory(email=email, is_staff=True)
    sync_staff_group()
    user.groups.add(Group.objects.get(name=IPA_STAFF_GROUP))
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def login_staff(client, user):
    """Log ``user`` in as if they had also passed the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get(confirmed=True).persistent_id
    session.save()
    return client
