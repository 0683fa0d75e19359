"""Cached pages stay fresh across processes: gunicorn workers, each with its
own memory, never serve a page older than the last committed change."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)

LIST = reverse("supporters:list")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the test database must be shared with gunicorn (SQLite's is in this process's memory)")
    caches["pages"].clear()


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def test_no_worker_serves_a_stale_page_after_a_write(tmp_path):
    """gunicorn with two workers; every answer right after a committed change
    must show it, whichever worker serves it."""
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # DEBUG only spares a collectstatic (production serves hashed files from its
    # manifest); PAGE_CACHE runs the page cache exactly as in production.
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",
        "SECRET_KEY": "test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PAGE_CACHE": "1",
        "LOG_LEVEL": "ERROR",
    }
    entry = SupporterFactory(name="変更前")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(log := (tmp_path / "gunicorn.log").open("w")),
    )

    def fetch():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{LIST}", timeout=10) as response:
            return response.read().decode()

    try:
        try:
            wait_for(lambda: _answers(fetch), seconds=30)
        except AssertionError:
            raise AssertionError(
                "gunicorn did not serve the list:\n" + (tmp_path / "gunicorn.log").read_text()[-3000:]
            ) from None
        stale = 0
        for round_ in range(40):
            for _ in range(4):
                fetch()  # both workers hold the current page
            type(entry).objects.filter(pk=entry.pk).update(name=f"変更{round_:03d}")
            stale += sum(f"変更{round_:03d}" not in fetch() for _ in range(4))
        assert stale == 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def _answers(fetch):
    try:
        return "変更前" in fetch()
    except OSError:
        return False
