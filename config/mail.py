"""Outgoing e-mail through an outbox: stored with the change, sent by a worker.

``queue_mail`` stores the message as a row (``OutgoingMail``) in the current
transaction, so a message exists exactly when the change it announces is
committed: a rollback drops both, and a crash after the commit loses neither.
Nothing is sent inside a request. The sender (``deliver_due``) takes due rows
one at a time under a row lock (``SKIP LOCKED`` on PostgreSQL, so several
workers never take the same message), hands each to the mail backend and
records the outcome in the same transaction; a failure is retried with a
growing delay (config/models.py) and after the last attempt the message is
marked failed for staff to see in the admin. Delivery is at least once: a
worker killed between the mail server's acceptance and the commit sends that
one message again on its next run.

Who runs the sender (docs/deployment.md): in production the worker command
``manage.py send_queued_mail``; with ``MAIL_SEND_AFTER_COMMIT`` (on when
DEBUG, so ``make run`` needs no extra step) a thread of the same process
starts after each commit that queued mail and drains the outbox.

Headers carry no user-typed text: subjects lose line breaks and control
characters, and every address must be one plain address.
"""

from __future__ import annotations

import logging
import re
import smtplib
import threading
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import close_old_connections, connection, transaction
from django.template.loader import render_to_string

from .models import OutgoingMail

logger = logging.getLogger(__name__)

_HEADER_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
SUBJECT_MAX = 200


def header_text(text: str) -> str:
    """One line for a header: line breaks and control characters become single spaces."""
    return _HEADER_BREAKS.sub(" ", str(text)).strip()[:SUBJECT_MAX]


def _addresses(addresses) -> list[str]:
    """Plain addresses only; anything that could add a header or a recipient is a bug upstream."""
    checked = []
    for address in addresses or []:
        address = str(address).strip()
        try:
            if _HEADER_BREAKS.search(address) or parseaddr(address)[1] != address:
                raise ValueError
            validate_email(address)
            Address(addr_spec=address)  # the mail library's own parse, as it will send it
        except (ValueError, ValidationError):
            raise ValueError(f"not a single plain e-mail address: {address!r}") from None
        checked.append(address)
    return checked


def queue_mail(subject: str, body: str, to: list[str], *, reply_to: list[str] | None = None) -> OutgoingMail:
    """Put one message in the outbox, inside the current transaction."""
    mail = OutgoingMail.objects.create(
        subject=header_text(subject), body=body, to=_addresses(to), reply_to=_addresses(reply_to)
    )
    if settings.MAIL_SEND_AFTER_COMMIT:
        transaction.on_commit(_wake_sender)
    return mail


def queue_rendered(template: str, context: dict, to: list[str], **kwargs) -> OutgoingMail:
    """A message from one template: the first line is the subject, the rest the body."""
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    return queue_mail(subject, body.strip() + "\n", to, **kwargs)


# The sender -------------------------------------------------------------------

# Refusals that no retry can cure: the message is marked failed at once.
PERMANENT = (smtplib.SMTPRecipientsRefused, ValueError)


def _message(mail: OutgoingMail, backend) -> EmailMessage:
    return EmailMessage(mail.subject, mail.body, None, mail.to, reply_to=mail.reply_to or None, connection=backend)


def deliver_due(*, limit: int = 500, stop: threading.Event | None = None) -> int:
    """Send up to ``limit`` due messages; returns how many were sent.

    A transient failure (the server unreachable) ends the run after counting
    the attempt: the rest wait for the next run rather than all failing.
    ``stop`` set (the worker was asked to exit) ends it after the message in hand.
    """
    sent = 0
    backend = get_connection()
    try:
        for _ in range(limit):
            if stop is not None and stop.is_set():
                break
            with transaction.atomic():
                mail = (
                    OutgoingMail.objects.due()
                    .select_for_update(skip_locked=True)
                    .order_by("next_attempt_at", "pk")
                    .first()
                )
                if mail is None:
                    break
                try:
                    backend.open()  # once per run: later messages reuse the connection
                    _message(mail, backend).send()
                except PERMANENT as exc:
                    logger.warning("mail %s refused: %s", mail.pk, exc)
                    mail.mark_failed_attempt(f"{type(exc).__name__}: {exc}", permanent=True)
                    continue
                except Exception as exc:  # the backend's own errors (OSError, SMTPException …)
                    logger.warning("mail %s not sent (attempt %s): %s", mail.pk, mail.attempts + 1, exc)
                    mail.mark_failed_attempt(f"{type(exc).__name__}: {exc}")
                    break
                mail.mark_sent()
                sent += 1
    finally:
        backend.close()
    return sent


_sending = threading.Lock()
_more = threading.Event()


def _wake_sender() -> None:
    """After a commit that queued mail: drain the outbox in a thread (MAIL_SEND_AFTER_COMMIT)."""
    _more.set()
    if _sending.acquire(blocking=False):
        threading.Thread(target=_drain, name="outbox-sender").start()


def _drain() -> None:
    # One sender per process; a wake-up while it runs makes it go round once more.
    while True:
        try:
            while _more.is_set():
                _more.clear()
                close_old_connections()
                deliver_due()
        except Exception:
            logger.exception("the outbox sender stopped; queued mail waits for the next run")
        finally:
            connection.close()
            _sending.release()
        if not _more.is_set() or not _sending.acquire(blocking=False):
            return
