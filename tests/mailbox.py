"""What the outbox has sent, read as the recipients would.

Nothing is sent inside a request: mail waits in the outbox until the sender
runs (config/mail.py). ``sent()`` runs it once, as the worker would, and
returns every message sent during the test (Django's test outbox).
"""

from django.core import mail

from config.mail import deliver_due


def sent() -> list:
    deliver_due()
    return mail.outbox
