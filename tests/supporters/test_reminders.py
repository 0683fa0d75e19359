"""manage.py send_reminders: validity reminders, expiry, freshness, purge; idempotent."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from supporters.models import ContactMessage, Decision, ReminderLog, Supporter
from tests.factories import SupporterFactory, UserFactory
from tests.mailbox import sent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def run():
    call_command("send_reminders", stdout=io.StringIO())


def entry(**kw):
    kw.setdefault("updated_on", TODAY)
    return SupporterFactory(user=UserFactory(), **kw)


def test_reminders_60_and_30_days_before_validity_ends():
    in_60 = entry(valid_until=days(60))
    in_45 = entry(valid_until=days(45))
    in_30 = entry(valid_until=days(30))
    entry(valid_until=days(61))
    run()
    kinds = {(r.supporter_id, r.kind) for r in ReminderLog.objects.all()}
    assert kinds == {
        (in_60.pk, ReminderLog.Kind.EXPIRY_60),
        (in_45.pk, ReminderLog.Kind.EXPIRY_60),
        (in_30.pk, ReminderLog.Kind.EXPIRY_30),
    }
    assert len(sent()) == 3
    assert {m.to[0] for m in sent()} == {in_60.user.email, in_45.user.email, in_30.user.email}
    assert "有効期限" in sent()[0].subject


def test_running_twice_sends_nothing_new():
    entry(valid_until=days(10))
    entry(updated_on=days(-400))
    entry(valid_until=days(-1))
    run()
    count = len(sent())
    assert count == 3
    run()
    assert len(sent()) == count


def test_the_30_day_reminder_follows_the_60_day_one():
    s = entry(valid_until=days(60))
    run()
    Supporter.objects.filter(pk=s.pk).update(valid_until=days(30))  # a month later, in effect
    run()
    run()
    assert list(ReminderLog.objects.values_list("kind", flat=True).order_by("kind")) == ["expiry_30", "expiry_60"]
    assert len(sent()) == 2


def test_a_new_validity_date_earns_new_reminders():
    s = entry(valid_until=days(20))
    run()
    Supporter.objects.filter(pk=s.pk).update(valid_until=days(25))
    run()
    assert ReminderLog.objects.filter(supporter=s).count() == 2


def test_expired_listings_are_hidden_and_reported(client):
    s = entry(valid_until=days(-1), registration_no="200001")
    keep = entry(valid_until=TODAY, registration_no="200002")
    run()
    s.refresh_from_db()
    keep.refresh_from_db()
    assert (s.status, keep.status) == (Supporter.Status.EXPIRED, Supporter.Status.PUBLISHED)
    assert s.decisions.get().action == Decision.Action.EXPIRED
    assert "掲載を停止しました" in sent()[0].subject
    assert client.get("/supporters/200001/").status_code == 404


def test_stale_entries_are_reminded_once_per_update_date():
    stale = entry(updated_on=days(-366))
    entry(updated_on=days(-365))
    run()
    assert list(ReminderLog.objects.values_list("supporter_id", "kind")) == [(stale.pk, "stale")]
    assert "内容に変更なし" in sent()[0].body


def test_only_published_entries_are_reminded():
    for status in ["pending", "returned", "ended", "rejected", "expired"]:
        entry(status=status, valid_until=days(10), updated_on=days(-500))
    run()
    assert sent() == []


def test_contact_messages_older_than_90_days_are_purged():
    s = entry()
    old = ContactMessage.objects.create(
        supporter=s,
        name="a",
        email="a@example.jp",
        message="m",
        created_at=timezone.now() - datetime.timedelta(days=91),
    )
    recent = ContactMessage.objects.create(
        supporter=s,
        name="b",
        email="b@example.jp",
        message="m",
        created_at=timezone.now() - datetime.timedelta(days=89),
    )
    run()
    assert list(ContactMessage.objects.all()) == [recent]
    assert not ContactMessage.objects.filter(pk=old.pk).exists()


def test_entries_without_any_address_are_skipped_quietly():
    SupporterFactory(user=None, email="", valid_until=days(10), updated_on=TODAY)
    run()
    assert sent() == [] and ReminderLog.objects.count() == 1
