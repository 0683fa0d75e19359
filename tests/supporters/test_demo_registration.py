import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from config.roles import IPA_STAFF_GROUP
from supporters.demo import DEMO_PASSWORD
from supporters.models import ChangeRequest, Supporter

pytestmark = pytest.mark.django_db


def test_load_demo_adds_the_lifecycle_story_and_is_repeatable(client):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    pending = Supporter.objects.filter(registration_no__startswith="90000")
    assert sorted(pending.values_list("registration_no", "status")) == [(f"90000{i}", "pending") for i in range(1, 6)]
    change = ChangeRequest.objects.get()
    assert change.status == "pending" and change.supporter.user.email == "demo-expert@example.jp"
    assert client.login(username="demo-expert@example.jp", password=DEMO_PASSWORD)
    assert "変更申請(審査待ち)" in client.get("/supporters/mine/").content.decode()
    assert "900001" not in client.get("/supporters/?sort=-registration_no").content.decode()
    assert client.get("/supporters/900001/").status_code == 404
    client.logout()
    assert client.login(username="demo-staff@example.jp", password=DEMO_PASSWORD)
    from django_otp.oath import totp

    device = get_user_model().objects.get(username="demo-staff@example.jp").totpdevice_set.get()
    response = client.post("/accounts/two-factor/verify/", {"token": f"{totp(device.bin_key):06d}", "next": "/admin/"})
    assert response.url == "/admin/"
    body = client.get("/admin/supporters/supporter/review-queue/").content.decode()
    assert body.count("審査する<span") == 6
    staff = get_user_model().objects.get(username="demo-staff@example.jp")
    assert staff.is_staff and not staff.is_superuser
    assert list(staff.groups.values_list("name", flat=True)) == [IPA_STAFF_GROUP]


def test_demo_shows_the_relay_to_a_private_address_and_a_failed_mail(client):
    from config.models import OutgoingMail

    call_command("load_demo", stdout=io.StringIO())
    relayed = Supporter.objects.exclude(contact_email="").filter(user__isnull=True)
    assert relayed.count() == 3
    page = client.get(relayed.first().get_absolute_url()).content.decode()
    assert "この専門家に相談する" in page and relayed.first().contact_email not in page
    assert OutgoingMail.objects.filter(status="failed").count() == 1


def test_demo_shows_claimed_and_unclaimed_imported_entries_and_a_mailed_referral(client):
    from supporters.models import ClaimLink
    from supporters.referrals.models import Referral
    from tests.factories import login_staff

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # repeatable: nothing claimed or invited twice
    claimed = Supporter.objects.filter(user__username__startswith="demo-claimed").order_by("registration_no")
    assert [s.user.username for s in claimed] == ["demo-claimed@example.jp", "demo-claimed2@example.jp"]
    assert all(s.decisions.filter(action="claimed").exists() for s in claimed)
    assert ClaimLink.objects.filter(origin="staff", used_at__isnull=True).count() == 3
    unclaimed = Supporter.objects.published().filter(user__isnull=True).count()
    assert unclaimed > 300
    # The referral mailed to an expert without an account waits for the answer.
    mailed = Referral.objects.get(supporter__user__isnull=True, status="referred")
    assert mailed.case.company_name == "デモ物流有限会社"

    assert client.login(username="demo-claimed@example.jp", password=DEMO_PASSWORD)
    mine = client.get("/supporters/mine/").content.decode()
    assert claimed[0].registration_no in mine and "アカウント連携" in mine
    client.logout()
    login_staff(client, get_user_model().objects.get(username="demo-staff@example.jp"))
    changelist = client.get("/admin/supporters/supporter/").content.decode()
    assert f"<strong>{Supporter.objects.live().filter(user__isnull=True).count()}件</strong>" in changelist
