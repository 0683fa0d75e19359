"""Push invalidation on PostgreSQL (LISTEN/NOTIFY): cached pages stay fresh
across processes without a round trip per hit, and a lost connection falls
back to the shared store instead of serving an old version."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from supporters import cache
from supporters.services import review
from tests.factories import SupporterFactory, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

LIST = reverse("supporters:list")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite reads the shared store on every hit")
    caches["pages"].clear()


@pytest.fixture
def watcher():
    created = cache.VersionWatcher()
    yield created
    created.stop()


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def test_watcher_learns_publications_from_other_connections(watcher):
    watcher.HEARTBEAT = 60  # only the notification can tell it
    watcher.start()
    before = wait_for(watcher.version)
    assert before == cache.shared_version()
    cache.bump_version()  # this thread's connection is another session: only NOTIFY tells the watcher
    after = cache.shared_version()
    assert after != before
    wait_for(lambda: watcher.version() == after)


def test_a_lost_connection_never_yields_an_old_version(watcher):
    watcher.start()
    old = wait_for(watcher.version)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    cache.bump_version()  # published while the watcher cannot hear it
    new = cache.shared_version()
    deadline = time.monotonic() + 3
    answers = set()
    while time.monotonic() < deadline:
        answers.add(watcher.version())
        time.sleep(0.005)
    assert old not in answers
    assert new in answers  # it reconnected by itself and caught up


def test_a_write_returns_only_once_every_watcher_has_the_new_version(watcher, settings):
    settings.PAGE_CACHE_LISTEN = True
    watcher.HEARTBEAT = 60  # its periodic check would briefly withdraw the version
    watcher.start()
    wait_for(watcher.version)
    for _ in range(30):
        old = cache.shared_version()
        cache.bump_version()  # in autocommit: published, then confirmed by every watcher
        # The watcher has the new version, or defers to the store for a
        # moment while it confirms it; never the old one.
        new = cache.shared_version()
        assert new != old and watcher.version() in (None, new)
    assert wait_for(watcher.version) == cache.shared_version()


def test_a_silent_watcher_delays_a_write_only_up_to_the_timeout(settings, monkeypatch, caplog):
    settings.PAGE_CACHE_LISTEN = True
    monkeypatch.setattr(cache, "ACK_TIMEOUT", 0.3)
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"], autocommit=True
    ) as silent:
        silent.execute("SELECT set_config('application_name', %s, false)", [cache.WATCHER_APPLICATION_NAME])
        silent.execute(f"LISTEN {cache.NOTIFY_CHANNEL}")
        started = time.monotonic()
        cache.bump_version()
        assert 0.3 <= time.monotonic() - started < 3
    assert "0 of 1 watchers acknowledged" in caplog.text


def test_an_unconfirmed_watcher_defers_to_the_shared_store():
    assert cache.VersionWatcher().version() is None


def test_approval_shows_at_once_with_the_watcher_in_this_process(client, settings):
    settings.PAGE_CACHE_LISTEN = True
    try:
        pending = SupporterFactory(name="審査中の専門家", status="pending")
        client.get(LIST)
        wait_for(cache._running_watcher().version)
        assert "審査中の専門家" not in client.get(LIST).content.decode()  # served from memory
        review(item=pending, action="approve", by=make_staff())
        assert "審査中の専門家" in client.get(LIST).content.decode()
    finally:
        cache._running_watcher().stop()
        cache._watcher = None


def test_no_worker_serves_a_stale_page_after_a_write(tmp_path, settings):
    """gunicorn with two workers and the watcher; every answer right after a
    committed change must show it, whichever worker serves it."""
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # DEBUG only spares a collectstatic (production serves hashed files from its
    # manifest); the page cache and its watcher run exactly as in production.
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",
        "SECRET_KEY": "test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PAGE_CACHE_LISTEN": "1",
        "LOG_LEVEL": "ERROR",
    }
    settings.PAGE_CACHE_LISTEN = True  # this process writes as a web process or an import would
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
