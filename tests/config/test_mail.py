"""E-mail leaves only once the change it announces is committed."""

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from config.mail import send_after_commit
from supporters.models import ContactMessage
from supporters.services import relay_contact
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_mail_waits_for_the_commit():
    with transaction.atomic():
        send_after_commit("件名", "本文", ["a@example.jp"])
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]


def test_a_change_that_rolls_back_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        relay_contact(
            supporter=SupporterFactory(),
            message=ContactMessage(name="山田", email="yamada@example.jp", message="よろしくお願いします"),
        )
        raise RuntimeError("a later step failed")
    assert mail.outbox == [] and not ContactMessage.objects.exists()


def test_a_mail_server_failure_does_not_undo_the_change(settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    relay_contact(
        supporter=SupporterFactory(),
        message=ContactMessage(name="山田", email="yamada@example.jp", message="よろしくお願いします"),
    )
    assert ContactMessage.objects.count() == 1
    assert "mail server down" in caplog.text
