"""Whole-page caching of the public directory, never stale after a change.

Every write to supporters bumps a shared *directory version* (a random token
in the shared cache: Redis or the database); cached pages are keyed by that
version, so the first request after an approval or import renders afresh.
Pages live in each process's memory; a hit costs one lookup of the version.

Hits are served by ``PublicPageCacheMiddleware`` inside Django and, in
production, by ``CachedPagesApp`` in front of Django (config/wsgi.py), which
skips building a request object at all. Both use ``lookup``; pages are stored
only by the middleware, from a complete response.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
from http.cookies import SimpleCookie

from django.core.cache import caches
from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "supporters:directory-version"
# Paths whose anonymous GET responses depend only on the directory's data.
CACHED_PREFIXES = ("/supporters/",)
CACHED_EXACT = ("/", "/help/")
PAGE_TTL = 60 * 60


def bump_version(**kwargs) -> None:
    """Invalidate every cached page, now and again once the transaction commits.

    The immediate bump covers readers in this transaction; the one after
    commit covers a request that rendered old data between the two.
    """
    caches["default"].set(VERSION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: caches["default"].set(VERSION_KEY, uuid.uuid4().hex, None))


def bump_after_migrate(**kwargs) -> None:
    """migrate and flush change data without model signals."""
    try:
        with transaction.atomic():
            bump_version()
    except DatabaseError:
        pass  # on a new database the cache table comes after migrate (createcachetable)


def current_version() -> str:
    shared = caches["default"]
    version = shared.get(VERSION_KEY)
    if version is None:
        # A random start: a restored or rolled-back cache never reuses a key.
        shared.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = shared.get(VERSION_KEY)
    return version


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
