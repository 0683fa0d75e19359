"""Whole-page caching of the public directory, never stale after a change.

Every write to supporters publishes a new *directory version* (a random token
in the shared cache: Redis or the database); cached pages are keyed by that
version, so the first request after an approval or import renders afresh.
Pages live in each process's memory.

On PostgreSQL each process also keeps the version in memory
(``VersionWatcher``): a publication sends ``NOTIFY`` after its commit, a
background thread per process LISTENs, reads the new version and
acknowledges it, and the writer returns only when every watcher has; so a
cache hit needs no round trip to the shared store. The in-memory copy is
trusted only while the watcher has confirmed it recently; otherwise (SQLite,
watcher disabled or its connection lost) every hit reads the shared store, as
before (docs/decisions/0500).

Hits are served by ``PublicPageCacheMiddleware`` inside Django and, in
production, by ``CachedPagesApp`` in front of Django (config/wsgi.py), which
skips building a request object at all. Both use ``lookup``; pages are stored
only by the middleware, from a complete response.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import select
import threading
import time
import uuid
from http.cookies import SimpleCookie

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "supporters:directory-version"
NOTIFY_CHANNEL = "supporters_directory_version"
ACK_CHANNEL = "supporters_directory_ack"
# The watchers' LISTEN connections carry this name, so a writer can count them.
WATCHER_APPLICATION_NAME = "shienlist-page-cache"
ACK_TIMEOUT = 2.0
# Paths whose anonymous GET responses depend only on the directory's data.
CACHED_PREFIXES = ("/supporters/",)
CACHED_EXACT = ("/", "/help/")
PAGE_TTL = 60 * 60


def bump_version(**kwargs) -> None:
    """Invalidate every cached page, now and again once the transaction commits.

    The immediate bump covers readers in this transaction; the one after
    commit covers a request that rendered old data between the two, and
    returns only once every process's watcher has the new version.
    """
    _publish()
    current = transaction.get_connection()
    if current.in_atomic_block:
        # One publication after the commit covers every write in the
        # transaction: skip if one is already due in this block or around
        # it (were that rolled back, this write would be rolled back too).
        open_savepoints = set(current.savepoint_ids)
        if any(hook is _publish_confirmed and ids <= open_savepoints for ids, hook, _ in current.run_on_commit):
            return
    transaction.on_commit(_publish_confirmed)


def _publish_confirmed() -> None:
    _publish(confirmed=True)


def _publish(*, confirmed: bool = False) -> None:
    version = uuid.uuid4().hex
    caches["default"].set(VERSION_KEY, version, None)
    if _watcher is not None and _watcher_pid == os.getpid():
        _watcher.bumped(version)
    if connection.vendor != "postgresql":
        return
    if confirmed and getattr(settings, "PAGE_CACHE_LISTEN", False):
        _notify_and_wait(version)
        return
    # Inside a transaction PostgreSQL delivers this at commit, or never on
    # rollback. Listeners read the shared store, which orders concurrent
    # publications; the payload only names what they acknowledge.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, version])


def _notify_and_wait(version: str) -> None:
    """Notify the watchers and wait until each has read the new version.

    PostgreSQL hands a notification to each listening session on its own
    schedule; on a busy machine a page could be served between this commit
    and that delivery. So the writer, not the reader, pays: it counts the
    watchers, notifies, and returns when all have acknowledged (a few
    milliseconds), or after ``ACK_TIMEOUT`` with a warning.
    """
    sender = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        sender.ensure_connection()
        pgconn = sender.connection
        pgconn.autocommit = True
        pgconn.execute(f"LISTEN {ACK_CHANNEL}")
        watchers = pgconn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            [WATCHER_APPLICATION_NAME],
        ).fetchone()[0]
        pgconn.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, version])
        acknowledged: set[int] = set()
        deadline = time.monotonic() + ACK_TIMEOUT
        while len(acknowledged) < watchers and (left := deadline - time.monotonic()) > 0:
            for notification in pgconn.notifies(timeout=left, stop_after=1):
                if notification.payload == version:
                    acknowledged.add(notification.pid)
        if len(acknowledged) < watchers:
            logger.warning(
                "page cache: %d of %d watchers acknowledged version %s", len(acknowledged), watchers, version
            )
    finally:
        sender.close()


def bump_after_migrate(**kwargs) -> None:
    """migrate and flush change data without model signals."""
    try:
        with transaction.atomic():
            bump_version()
    except DatabaseError:
        pass  # on a new database the cache table comes after migrate (createcachetable)


def shared_version() -> str:
    """The directory version in the shared store (one round trip)."""
    shared = caches["default"]
    version = shared.get(VERSION_KEY)
    if version is None:
        # A random start: a restored or rolled-back cache never reuses a key.
        shared.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = shared.get(VERSION_KEY)
    return version


def current_version() -> str:
    watcher = _running_watcher()
    if watcher is not None:
        version = watcher.version()
        if version is not None:
            return version
    return shared_version()


class VersionWatcher:
    """This process's copy of the directory version, kept current by LISTEN.

    A thread holds its own PostgreSQL connection LISTENing on
    ``NOTIFY_CHANNEL`` (named ``WATCHER_APPLICATION_NAME``, so writers can
    count the watchers). After LISTEN it reads the shared version, so no
    publication can fall between; each notification makes it read again and
    then acknowledge on ``ACK_CHANNEL``; a heartbeat every ``HEARTBEAT``
    seconds reads again too (and proves the connection alive).

    ``version()`` answers only when nothing is waiting unread on that
    connection and the last confirmation is younger than ``MAX_AGE``; else
    the caller reads the shared store. The thread withdraws its confirmation
    before it consumes anything from the socket and confirms again only after
    reading the store, so from the moment a notification reaches this host to
    the moment the new version is in memory, hits read the shared store. A
    lost connection likewise falls back to the store, never to an old version.
    """

    HEARTBEAT = 1.0
    MAX_AGE = 3.0

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self._lock = threading.Lock()
        self._version: str | None = None
        self._confirmed = float("-inf")
        self._socket: int | None = None
        # Raised by every local publication: a read of the shared store that
        # started before one must not overwrite it.
        self._generation = 0
        self._stop = threading.Event()
        self._wake_reader, self._wake_writer = os.pipe()  # interrupts the wait on stop()
        self._thread = threading.Thread(target=self._run, name="page-cache-version", daemon=True)

    def start(self) -> VersionWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        os.write(self._wake_writer, b"x")
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        os.close(self._wake_reader)
        os.close(self._wake_writer)

    def version(self) -> str | None:
        """The version, or None when it may be behind the shared store."""
        with self._lock:
            sock = self._socket
        if sock is None:
            return None
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return None
        if readable:
            return None
        # Checked after the socket: had the thread consumed a notification
        # since, it would have withdrawn its confirmation first.
        with self._lock:
            if self._socket != sock or time.monotonic() - self._confirmed > self.MAX_AGE:
                return None
            return self._version

    def bumped(self, version: str) -> None:
        """A publication from this process: known here before any notification."""
        with self._lock:
            self._generation += 1
            self._version = version

    def _withdraw(self) -> None:
        with self._lock:
            self._confirmed = float("-inf")

    def _read(self) -> tuple[int, float, str]:
        """Read the store: (generation before, time before, version)."""
        with self._lock:
            generation = self._generation
        started = time.monotonic()
        return generation, started, shared_version()

    def _confirm(self, read: tuple[int, float, str]) -> None:
        generation, started, version = read
        with self._lock:
            if generation == self._generation:
                self._version = version
                self._confirmed = started

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            listener = connections.create_connection(self.alias)
            try:
                listener.ensure_connection()
                pgconn = listener.connection
                pgconn.autocommit = True
                pgconn.execute("SELECT set_config('application_name', %s, false)", [WATCHER_APPLICATION_NAME])
                pgconn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                with self._lock:
                    self._socket = pgconn.fileno()
                self._confirm(self._read())
                backoff = 0.1
                while not self._stop.is_set():
                    readable, _, _ = select.select([self._socket, self._wake_reader], [], [], self.HEARTBEAT)
                    # Any query below may take notifications off the socket,
                    # so the version is withdrawn until the store is read
                    # after the last of them.
                    self._withdraw()
                    if self._wake_reader in readable:
                        break
                    if not readable:
                        pgconn.execute("SELECT 1")  # the connection is alive
                    # Everything queued, including what arrived during SELECT 1:
                    # one read of the store serves a burst (an import).
                    versions = {n.payload for n in pgconn.notifies(timeout=0)}
                    while True:
                        read = self._read()
                        for version in versions - {""}:
                            pgconn.execute("SELECT pg_notify(%s, %s)", [ACK_CHANNEL, version])
                        versions = {n.payload for n in pgconn.notifies(timeout=0)}  # arrived meanwhile
                        if not versions:
                            break
                    self._confirm(read)
            except Exception:
                logger.warning("page cache version watcher lost its connection; retrying", exc_info=True)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with self._lock:
                    self._confirmed = float("-inf")
                    self._socket = None
                listener.close()
                # The store reads above used this thread's own Django
                # connection; a broken one must not be reused.
                connections[self.alias].close()


_watcher: VersionWatcher | None = None
_watcher_pid: int | None = None
_watcher_lock = threading.Lock()


def _running_watcher() -> VersionWatcher | None:
    """This process's watcher, started on first use (after a fork too)."""
    global _watcher, _watcher_pid
    if _watcher is not None and _watcher_pid == os.getpid():
        return _watcher
    if not getattr(settings, "PAGE_CACHE_LISTEN", False) or connections["default"].vendor != "postgresql":
        return None
    with _watcher_lock:
        if _watcher is None or _watcher_pid != os.getpid():
            _watcher = VersionWatcher().start()
            _watcher_pid = os.getpid()
    return _watcher


def is_cacheable(method: str, path: str, cookie_header: str) -> bool:
    if method not in ("GET", "HEAD"):
        return False
    if not (path in CACHED_EXACT or path.startswith(CACHED_PREFIXES)) or path.endswith(".csv"):
        return False  # CSV exports stream; they are not kept in memory
    if not cookie_header:
        return True
    # Sessions, messages and the like make a page personal; a CSRF cookie alone does not.
    try:
        names = SimpleCookie(cookie_header).keys()
    except Exception:
        return False
    return all(name == "csrftoken" for name in names)


def page_key(path: str, query_string: str) -> str:
    # The date is part of the key: marks such as "updated over a year ago" change daily.
    raw = f"{current_version()}|{datetime.date.today()}|{path}?{query_string}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def lookup(method: str, path: str, query_string: str, cookie_header: str):
    """(key, entry) for a cacheable request; entry is (status, headers, body) or None.

    (None, None) when the request must not be served from or stored in the cache.
    """
    if not is_cacheable(method, path, cookie_header):
        return None, None
    key = page_key(path, query_string)
    return key, caches["pages"].get(key)


def is_cacheable_response(response) -> bool:
    """A page that sets no cookie (so no CSRF token in it) for a cookie-less
    visitor is the same for every anonymous visitor. ``Vary: Cookie`` is
    expected (the layout checks whether someone is logged in)."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
    )


def store(key: str, response) -> None:
    status = f"{response.status_code} {response.reason_phrase}"
    caches["pages"].set(key, (status, list(response.items()), response.content), PAGE_TTL)


class CachedPagesApp:
    """WSGI wrapper answering cache hits before Django builds a request."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            _, entry = lookup(
                environ.get("REQUEST_METHOD", ""),
                environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""),
                environ.get("HTTP_COOKIE", ""),
            )
        except Exception:  # a cache outage must never take pages down
            logger.warning("page cache lookup failed", exc_info=True)
            entry = None
        if entry is None:
            return self.application(environ, start_response)
        status, headers, body = entry
        start_response(status, headers)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]
