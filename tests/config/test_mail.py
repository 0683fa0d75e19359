"""The outbox: mail is stored with the change that causes it and sent by a worker, with retries."""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from config.mail import deliver_due, header_text, queue_mail
from config.models import MAX_ATTEMPTS, OutgoingMail
from supporters.models import ContactMessage
from supporters.services import relay_contact
from tests.factories import SupporterFactory
from tests.mailbox import sent

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class DyingBackend(BaseEmailBackend):
    """Sends the first message, then the worker process is killed."""

    def send_messages(self, messages):
        if mail.outbox:
            raise KeyboardInterrupt("killed")
        mail.outbox.extend(messages)
        return len(messages)


def relay():
    return relay_contact(
        supporter=SupporterFactory(),
        message=ContactMessage(name="山田", email="yamada@example.jp", message="よろしくお願いします"),
    )


def test_mail_is_stored_in_the_transaction_and_sent_only_by_the_sender():
    with transaction.atomic():
        queue_mail("件名", "本文", ["a@example.jp"])
        assert OutgoingMail.objects.get().status == "queued"
    assert mail.outbox == []  # nothing leaves inside the request
    assert deliver_due() == 1
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    stored = OutgoingMail.objects.get()
    assert stored.status == "sent" and stored.sent_at and stored.body == ""  # links are not kept
    assert deliver_due() == 0 and len(mail.outbox) == 1


def test_a_change_that_rolls_back_leaves_no_mail():
    with pytest.raises(RuntimeError), transaction.atomic():
        relay()
        raise RuntimeError("a later step failed")
    assert sent() == [] and not ContactMessage.objects.exists() and not OutgoingMail.objects.exists()


def test_a_mail_server_failure_keeps_the_change_and_retries_later(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    relay()  # the message to the expert and the sender's copy
    queue_mail("三通目", "本文", ["b@example.jp"])
    assert deliver_due() == 0
    assert ContactMessage.objects.count() == 1
    first, *rest = OutgoingMail.objects.order_by("pk")
    # The server is down: one attempt is counted and the run stops, the rest waits its turn.
    assert (first.status, first.attempts, [m.attempts for m in rest]) == ("queued", 1, [0, 0])
    assert "mail server down" in first.last_error
    assert first.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert deliver_due() == 0 and OutgoingMail.objects.get(pk=rest[0].pk).attempts == 1  # the first is not due yet

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    assert deliver_due() == 3 and len(mail.outbox) == 3


def test_retries_back_off_and_end_as_failed(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    queue_mail("件名", "本文", ["a@example.jp"])
    waits = []
    for _ in range(MAX_ATTEMPTS):
        OutgoingMail.objects.update(next_attempt_at=timezone.now())
        before = timezone.now()
        deliver_due()
        stored = OutgoingMail.objects.get()
        waits.append(round((stored.next_attempt_at - before).total_seconds() / 60))
    assert stored.status == "failed" and stored.attempts == MAX_ATTEMPTS
    assert waits[:4] == [1, 2, 4, 8]  # each wait doubles
    assert stored.body == "本文"  # kept, so that staff can send it again


def test_a_refused_recipient_fails_at_once(settings):
    import smtplib

    class Refusing(BaseEmailBackend):
        def send_messages(self, messages):
            raise smtplib.SMTPRecipientsRefused({"x@example.jp": (550, b"no such user")})

    settings.EMAIL_BACKEND = "tests.config.test_mail.Refusing"
    globals()["Refusing"] = Refusing
    queue_mail("件名", "本文", ["x@example.jp"])
    queue_mail("件名", "本文", ["y@example.jp"])
    deliver_due()
    assert list(OutgoingMail.objects.values_list("status", "attempts")) == [("failed", 1), ("failed", 1)]


def test_a_worker_killed_mid_run_leaves_the_rest_queued_not_lost(settings):
    settings.EMAIL_BACKEND = f"{__name__}.DyingBackend"
    for n in range(3):
        queue_mail(f"お知らせ{n}", "本文", [f"p{n}@example.jp"])
    with pytest.raises(KeyboardInterrupt):
        deliver_due()
    assert list(OutgoingMail.objects.order_by("pk").values_list("status", flat=True)) == ["sent", "queued", "queued"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_due() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.jp", "p1@example.jp", "p2@example.jp"]


@pytest.mark.parametrize("subject", ["件名\r\nBcc: victim@example.jp", "件名\nX-Injected: 1", "件名\u2028次の行"])
def test_typed_text_never_adds_a_header(subject):
    queue_mail(subject, "本文", ["a@example.jp"])
    (message,) = sent()
    assert "\n" not in message.subject and "\r" not in message.subject and "\u2028" not in message.subject
    assert message.bcc == [] and "X-Injected" not in message.message().as_string().split("\n\n")[0]
    assert header_text(subject).startswith("件名 ")


@pytest.mark.parametrize(
    "address", ["a@example.jp\nBcc: b@example.jp", "A <a@example.jp>", "a@example.jp, b@example.jp", "not-an-address"]
)
def test_addresses_must_be_single_plain_addresses(address):
    with pytest.raises(ValueError):
        queue_mail("件名", "本文", [address])
    assert not OutgoingMail.objects.exists()


def test_the_worker_command_sends_what_is_due_and_forgets_old_sent_mail():
    queue_mail("件名", "本文", ["a@example.jp"])
    old = queue_mail("古い", "", ["b@example.jp"])
    OutgoingMail.objects.filter(pk=old.pk).update(status="sent", sent_at=timezone.now() - datetime.timedelta(days=91))
    call_command("send_queued_mail", "--once", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    assert list(OutgoingMail.objects.values_list("status", flat=True)) == ["sent"]


@pytest.mark.django_db(transaction=True)
def test_with_send_after_commit_a_thread_delivers_after_the_commit(settings):
    """`make run` (DEBUG): no worker to start, mail still leaves, outside the request thread."""
    settings.MAIL_SEND_AFTER_COMMIT = True
    with transaction.atomic():
        queue_mail("件名", "本文", ["a@example.jp"])
        assert not any(t.name == "outbox-sender" for t in threading.enumerate())
    for thread in threading.enumerate():
        if thread.name == "outbox-sender":
            thread.join(timeout=20)
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    assert OutgoingMail.objects.get().status == "sent"


def test_staff_see_the_outbox_and_send_failed_mail_again(client):
    from tests.factories import login_staff, make_staff

    queue_mail("送信待ちの件名", "秘密のリンク https://example.jp/verify/abc/", ["a@example.jp"])
    failed = queue_mail("失敗した件名", "本文", ["b@example.jp"])
    OutgoingMail.objects.filter(pk=failed.pk).update(status="failed", attempts=MAX_ATTEMPTS)
    login_staff(client, make_staff())
    page = client.get("/admin/config/outgoingmail/").content.decode()
    assert "送信待ちの件名" in page and "失敗した件名" in page and "送信失敗" in page
    detail = client.get(f"/admin/config/outgoingmail/{failed.pk}/change/").content.decode()
    assert "b@example.jp" in detail
    queued = OutgoingMail.objects.get(subject="送信待ちの件名")
    assert "秘密のリンク" not in client.get(f"/admin/config/outgoingmail/{queued.pk}/change/").content.decode()
    response = client.post(
        "/admin/config/outgoingmail/", {"action": "send_again", "_selected_action": [failed.pk]}, follow=True
    )
    assert "1件を送信待ちに戻しました" in response.content.decode()
    assert OutgoingMail.objects.get(pk=failed.pk).status == "queued"


def test_a_worker_asked_to_stop_finishes_the_message_in_hand(settings):
    stop = threading.Event()

    class StoppingBackend(BaseEmailBackend):
        def send_messages(self, messages):
            stop.set()  # SIGTERM arrives while this message is being sent
            mail.outbox.extend(messages)
            return len(messages)

    globals()["StoppingBackend"] = StoppingBackend
    settings.EMAIL_BACKEND = f"{__name__}.StoppingBackend"
    queue_mail("一通目", "本文", ["a@example.jp"])
    queue_mail("二通目", "本文", ["b@example.jp"])
    assert deliver_due(stop=stop) == 1
    assert list(OutgoingMail.objects.order_by("pk").values_list("status", flat=True)) == ["sent", "queued"]
