"""The outbox's worker: sends queued mail, retrying failures with a growing delay (config/mail.py)."""

import datetime
import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from config.mail import deliver_due
from config.models import OutgoingMail

logger = logging.getLogger(__name__)

KEEP_SENT_DAYS = 90


class Command(BaseCommand):
    help = (
        "送信待ちのメールを送ります(失敗したものは間隔をあけて再送)。"
        "通常は常駐させ、--once では送れるものを送って終了します(cron 用)。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="送信待ちを一度送って終了します")
        parser.add_argument("--interval", type=float, default=5.0, help="送信待ちを確かめる間隔(秒、既定 5)")

    def handle(self, *args, once, interval, **options):
        stop = threading.Event()
        if not once:
            # A deploy stops the worker with SIGTERM: finish the message in hand, then exit.
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        forgotten_at = None
        while True:
            try:
                sent = deliver_due(stop=stop)
                if forgotten_at is None or time.monotonic() - forgotten_at > 3600:
                    self._forget_old()
                    forgotten_at = time.monotonic()
            except DatabaseError:
                if once:
                    raise
                # The database went away (a restart, a failover): wait and try again.
                logger.exception("the outbox could not be read; trying again in %s s", interval)
                sent = 0
            if sent:
                self.stdout.write(f"{sent}件を送信しました。")
            if once or stop.wait(interval):
                return
            # A long-running worker: drop a connection the database closed meanwhile.
            close_old_connections()

    def _forget_old(self):
        """Sent messages stay listed for staff for 90 days (their bodies are erased when sent)."""
        cutoff = timezone.now() - datetime.timedelta(days=KEEP_SENT_DAYS)
        OutgoingMail.objects.filter(status=OutgoingMail.Status.SENT, sent_at__lt=cutoff).delete()
