"""Outgoing e-mail, sent only once the change it announces is committed.

Services send mail from inside their transactions. Sending there directly
would announce changes that may still roll back (an error later in the same
request), and a slow mail server would hold the transaction's locks. So every
message waits for the commit; a mail server failure after the commit is
logged (``robust``) and does not undo what the user did, which the site
shows anyway (inbox, 個票, the admin).
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction


def send_after_commit(subject: str, body: str, to: list[str], *, reply_to: list[str] | None = None) -> None:
    """Queue one message for when the current transaction commits (at once outside one)."""
    message = EmailMessage(subject, body, None, to, reply_to=reply_to)
    transaction.on_commit(message.send, robust=True)
