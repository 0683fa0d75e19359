"""The kernel's own tables: the mail outbox (config/mail.py)."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

# Attempts before a message is given up as failed, and the wait after the
# n-th failed attempt: 1, 2, 4 … 128 minutes, about four hours in all, so
# that a mail server down for a maintenance window loses nothing.
MAX_ATTEMPTS = 9


def retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=2 ** (attempts - 1))


class OutgoingMailQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime | None = None):
        return self.filter(status=OutgoingMail.Status.QUEUED, next_attempt_at__lte=now or timezone.now())


class OutgoingMail(models.Model):
    """One message in the outbox, stored in the transaction of the change it announces."""

    class Status(models.TextChoices):
        QUEUED = "queued", "送信待ち"
        SENT = "sent", "送信済み"
        FAILED = "failed", "送信失敗"

    subject = models.CharField("件名", max_length=300)
    # Erased once sent: bodies carry live links (sign-up, invitations).
    body = models.TextField("本文", blank=True)
    to = models.JSONField("宛先", default=list)
    reply_to = models.JSONField("返信先", default=list, blank=True)
    status = models.CharField("状況", max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("送信の試行回数", default=0)
    next_attempt_at = models.DateTimeField("次の送信予定", default=timezone.now)
    last_error = models.TextField("最後のエラー", blank=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = "送信メール"
        verbose_name_plural = "送信メール"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outgoing_mail_due")]

    def __str__(self):
        return self.subject

    def mark_sent(self) -> None:
        self.status = self.Status.SENT
        self.sent_at = timezone.now()
        self.body = ""
        self.last_error = ""
        self.save(update_fields=["status", "sent_at", "body", "last_error"])

    def mark_failed_attempt(self, error: str, *, permanent: bool = False) -> None:
        """Count a failed attempt: try again after the back-off, or give up."""
        self.attempts += 1
        self.last_error = error[:2000]
        if permanent or self.attempts >= MAX_ATTEMPTS:
            self.status = self.Status.FAILED
        else:
            self.next_attempt_at = timezone.now() + retry_delay(self.attempts)
        self.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])

    def requeue(self) -> None:
        """Staff send a failed message again (after fixing the cause)."""
        self.status = self.Status.QUEUED
        self.attempts = 0
        self.next_attempt_at = timezone.now()
        self.save(update_fields=["status", "attempts", "next_attempt_at"])
