"""Whole-page caching of the public directory, never stale after a change.

Every write to supporters bumps a shared *directory version* (a random token
in the shared cache); cached pages are keyed by that version, so the first
request after an approval or import renders afresh. Pages live in each
process's memory (fast), the version in the shared cache (one lookup).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid

from django.core.cache import caches
from django.db import transaction

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


def current_version() -> str:
    shared = caches["default"]
    version = shared.get(VERSION_KEY)
    if version is None:
        # A random start: a restored or rolled-back cache never reuses a key.
        version = uuid.uuid4().hex
        shared.add(VERSION_KEY, version, None)
        version = shared.get(VERSION_KEY, version)
    return version


def is_cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.path
    if not (path in CACHED_EXACT or path.startswith(CACHED_PREFIXES)) or path.endswith(".csv"):
        return False  # CSV exports stream; they are not kept in memory
    # Sessions, messages and the like make a page personal; a CSRF cookie alone does not.
    return all(name == "csrftoken" for name in request.COOKIES)


def page_key(request) -> str:
    # The date is part of the key: marks such as "updated over a year ago" change daily.
    raw = f"{current_version()}|{datetime.date.today()}|{request.get_full_path()}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


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
