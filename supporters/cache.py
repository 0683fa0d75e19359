"""The directory's whole-page cache: Django's cache framework, never stale.

Anonymous GETs of the directory's HTML pages (home, help, the list, each
個票) are kept in each process's memory (``caches["pages"]``, bounded in bytes
by ``BoundedMemoryCache``), keyed by the *directory version*: a random token
in the shared cache (Redis when ``REDIS_URL`` is set, else the database's
cache table) that every write to an entry replaces, inside its transaction
and again once it commits. A hit costs one read of that token, so a page is
never older than the last committed change, on any number of hosts, with no
notification protocol and nothing a transaction-pooling PgBouncer could break
(docs/decisions/0520).

The rules, each tested in tests/supporters/test_page_cache.py:

- ``PublicPageCacheMiddleware`` runs after ``SecurityMiddleware`` and checks
  the host before a lookup, so a hit gets the HTTPS redirect, the host check
  and the security headers a miss gets;
- only the views in ``CACHED_VIEWS`` are cached, never exports; only for
  visitors without a session, and only answers that set no cookie;
- the key holds only the parameters those pages read (``page_params()``): the
  request is reduced to them before the view runs, so ``utm_source`` and the
  like neither bypass nor fill the cache, and a hit equals a miss;
- off unless ``settings.PAGE_CACHE`` (off under DEBUG, so template edits show
  at once);
- an ETag on every cached page and 304 to a matching ``If-None-Match``; a
  ``Cache-Control`` that shared caches may honour (``public_cache_control()``).

In production the WSGI layer around Django (supporters/front.py) then answers
the same request again with a copy of Django's final answer, before Django's
request handling, while the version and the day are those of the copy; it
decides none of the rules above (decision 0890).

A second bounded memory (``caches["fragments"]``) keeps parts of pages that
outlive a version: each entry's markup in the list's cards and rows per entry
version (``entry_fragments``, supporters/templatetags), each filter field per
value (``fields_once``) and each other widget per value (``RenderedOnceMixin``;
a group of checkboxes is drawn from its parts, ``SelectionPlan``).
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import sys
import time
import uuid
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode

import xxhash
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, default_key_func
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import TooManyFieldsSent
from django.db import DatabaseError, connections, router, transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.http import quote_etag
from django.utils.safestring import mark_safe

VERSION_KEY = "supporters:directory-version"
# Pages whose anonymous answers depend only on the directory's data.
CACHED_VIEWS = frozenset(
    {"supporters:home", "supporters:help", "supporters:list", "supporters:detail", "supporters:stats"}
)
PAGE_TTL = 60 * 60


def bump_version(**kwargs) -> None:
    """Invalidate every cached page, now and again once the transaction commits.

    The immediate bump covers readers in this transaction; the one after
    commit covers a request that rendered old data between the two.
    """
    _publish()
    current = transaction.get_connection()
    if current.in_atomic_block:
        # One publication after the commit covers every write in the
        # transaction: skip if one is already due in this block or around
        # it (were that rolled back, this write would be rolled back too).
        open_savepoints = set(current.savepoint_ids)
        if any(hook is _publish and ids <= open_savepoints for ids, hook, _ in current.run_on_commit):
            return
    transaction.on_commit(_publish)


def _publish() -> None:
    caches["default"].set(VERSION_KEY, uuid.uuid4().hex, None)


def bump_after_migrate(**kwargs) -> None:
    """migrate and flush change data without model signals."""
    try:
        with transaction.atomic():
            bump_version()
    except DatabaseError:
        pass  # on a new database the cache table comes after migrate (createcachetable)


def directory_version() -> str:
    """The directory version in the shared store (one read)."""
    shared = caches["default"]
    read = _stored_form if isinstance(shared, DatabaseCache) else shared.get
    version = read(VERSION_KEY)
    if version is None:
        # A random start: a restored or rolled-back cache never reuses a key.
        shared.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = read(VERSION_KEY)
    return version


def _stored_form(key: str) -> str | None:
    """The value of ``key`` in Django's database cache as stored, with one
    plain query: ``DatabaseCache.get`` builds its SQL, a model field and a
    date comparison for every call (0.1 ms of each page served from memory).
    Any text that changes when the version does serves as the version; it is
    never set to expire, and ``add`` above covers a missing row."""
    alias, sql, stored_key = _stored_form_query(caches["default"], key)
    connection = connections[alias]
    if _health_check_due(connection):
        # Django would first ask a connection kept from an earlier request
        # whether it still works (CONN_HEALTH_CHECKS: a "SELECT 1", a round
        # trip on PostgreSQL), then read. This read asks that too: if it
        # fails, the connection is closed and the read made again on a new
        # one, as after a failed health check. A page-cache hit thus costs
        # one round trip instead of two.
        connection.health_check_done = True
        try:
            return _read_stored(connection, sql, stored_key)
        except DatabaseError:
            connection.close()
    return _read_stored(connection, sql, stored_key)


def _health_check_due(connection) -> bool:
    # Never inside a transaction: a failed read would have broken it.
    return (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )


def _read_stored(connection, sql: str, stored_key: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [stored_key])
        row = cursor.fetchone()
    return row[0] if row else None


@functools.lru_cache(maxsize=8)
def _stored_form_query(shared: DatabaseCache, key: str) -> tuple[str, str, str]:
    # The database, the SQL and the key as stored, once per cache (a test may
    # configure another): validating a key checks each of its characters.
    alias = router.db_for_read(shared.cache_model_class)
    table = connections[alias].ops.quote_name(shared._table)
    return alias, f"SELECT value FROM {table} WHERE cache_key = %s", shared.make_and_validate_key(key)


def request_version(request) -> str:
    """The directory version for this request, read at most once per request."""
    version = getattr(request, "directory_version", None)
    if version is None:
        version = request.directory_version = directory_version()
    return version


@functools.cache
def page_params() -> tuple[str, ...]:
    """The query parameters the directory's pages read, in a fixed order (the
    guide's answers too: the list explains a guided search by them)."""
    from .filters import SupporterFilter
    from .guide import ANSWER_PARAMS

    return (*SupporterFilter.base_filters, *ANSWER_PARAMS, "page")


def is_personal(cookies) -> bool:
    """Sessions, messages and the like make a page personal; a CSRF cookie alone does not."""
    return any(name != settings.CSRF_COOKIE_NAME for name in cookies)


def directory_view(request) -> str | None:
    """The name of the cached view a GET or HEAD is for, if any."""
    if request.method not in ("GET", "HEAD"):
        return None
    return cached_view_of(request.path_info)


@functools.lru_cache(maxsize=4096)
def cached_view_of(path: str) -> str | None:
    """The name of the cached view for a path, if any."""
    # URL patterns do not change while a process runs; a hit skips resolving.
    try:
        view_name = resolve(path).view_name
    except Resolver404:
        return None
    return view_name if view_name in CACHED_VIEWS else None


def reduce_query(request, view_name: str) -> str:
    """Keep only the parameters the page reads, non-empty, in a fixed order.

    The view then sees exactly what the key holds, so a hit and a miss give
    the same page whatever else the URL carried.
    """
    query = reduced_query(view_name, request.META.get("QUERY_STRING", ""))
    request.META["QUERY_STRING"] = query
    request.__dict__.pop("GET", None)  # read again, from the reduced query, if the page is drawn
    return query


def reduced_query(view_name: str, raw: str) -> str:
    """``raw`` (WSGI's: UTF-8 bytes as Latin-1 characters) reduced for ``view_name``."""
    return _reduced(view_name, raw) if len(raw) <= _MEMO_QUERY_LENGTH else _reduced.__wrapped__(view_name, raw)


# Popular pages come back with the same query: a hit reduces it once per
# process. Longer queries (any can be sent) are reduced every time, so the
# memory stays within 1,024 x 2 KB.
_MEMO_QUERY_LENGTH = 2048


@functools.lru_cache(maxsize=1024)
def _reduced(view_name: str, raw: str) -> str:
    if view_name not in ("supporters:list", "supporters:detail"):
        return ""
    order = _param_order()
    # Read as WSGIRequest.GET reads it (a QueryDict: UTF-8 bytes given as
    # Latin-1, blank values kept, at most DATA_UPLOAD_MAX_NUMBER_FIELDS
    # fields), without building two QueryDicts: a list page nobody asked for
    # before reduces its query once (14 µs instead of 40).
    try:
        pairs = parse_qsl(
            raw.encode("iso-8859-1").decode(errors="replace"),
            keep_blank_values=True,
            max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        )
    except ValueError as error:
        raise TooManyFieldsSent(
            "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
        ) from error
    kept = [(name, value) for name, value in pairs if value and name in order]
    # Grouped by name in the page's order, each name's values in the order given (sort is stable).
    return urlencode(sorted(kept, key=lambda pair: order[pair[0]]))


@functools.cache
def _param_order() -> dict[str, int]:
    return {name: i for i, name in enumerate(page_params())}


# The request headers that can turn an answer into 304 or 412.
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


def page_key(request, query: str, host: str, day) -> str:
    # The date is part of the key: marks such as "updated over a year ago" change daily.
    raw = f"{request_version(request)}|{day}|{request.scheme}://{host}{request.path}?{query}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def is_cacheable_response(response) -> bool:
    """A page that sets no cookie (so no CSRF token in it) for a visitor
    without a session is the same for every such visitor. ``Vary: Cookie``
    is expected (the layout checks whether someone is logged in)."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not {"no-store", "private"} & {part.strip() for part in response.get("Cache-Control", "").split(",")}
    )


def public_cache_control() -> str:
    """What shared caches (a CDN, a reverse proxy) may do with a public page.

    By default they may store it but must revalidate it before every reuse
    (``no-cache``; the ETag makes that a 304), which keeps them as fresh as
    this cache. ``PAGE_CACHE_SHARED_MAX_AGE`` seconds lets them serve it
    unasked for that long after a change instead (docs/deployment.md).
    """
    seconds = settings.PAGE_CACHE_SHARED_MAX_AGE
    if seconds > 0:
        return f"public, max-age=0, s-maxage={seconds}"
    return "public, no-cache"


def set_etag(response) -> None:
    """The page's validator: a digest of its bytes, so the same page has the
    same ETag in every process and after a restart. XXH3-128 (the xxhash
    library) rather than a cryptographic digest: 2 µs for a 76 KB list page
    where SHA-1 took 40 (and Django's MD5 90), with 128 bits, so that two
    states of a page never share one by chance (docs/decisions/0940). Not a
    security measure: nobody gains by forging one, and a page's content is
    not theirs to choose."""
    response["ETag"] = quote_etag(xxhash.xxh3_128_hexdigest(response.content))


class FrozenPage(NamedTuple):
    """A kept answer. Nothing in it can be changed in place, so the page
    memory keeps it as it is and every hit shares it, rather than unpickling
    76 KB per hit; each hit gets its own ``HttpResponse`` (``thaw``)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def freeze(response) -> FrozenPage:
    return FrozenPage(response.status_code, tuple(response.items()), response.content)


def thaw(entry: FrozenPage) -> HttpResponse:
    return HttpResponse(entry.body, status=entry.status, headers=dict(entry.headers))


class AnswerCopy(NamedTuple):
    """Django's final answer to a plain GET of a kept page, as the WSGI server
    got it (every header, the security headers too), for supporters/front.py
    to replay to the same request while ``version`` and ``day`` hold."""

    version: str
    day: object  # a date
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Texts(tuple):
    """Texts kept together (an entry's markup in each template a page draws it
    in, in UTF-8): as unchangeable as a text, so kept as it is too."""

    __slots__ = ()


class Encoded(bytes):
    """Markup in UTF-8 (the list's filter fields: supporters/templatetags/entry_tags.py),
    kept as it is: other values are kept as their pickles, which are bytes too."""

    __slots__ = ()


# Values the memory caches keep unpickled: they cannot be changed in place.
_KEPT_AS_THEY_ARE = (str, Encoded, Texts, FrozenPage, AnswerCopy)  # str: SafeString too


class BoundedMemoryCache(LocMemCache):
    """Django's local-memory cache, also bounded in bytes.

    ``OPTIONS["MAX_BYTES"]`` caps the memory of the values kept by this process;
    the least recently used go first, as with ``MAX_ENTRIES``.
    """

    _ledgers: dict[str, dict] = {}

    def __init__(self, name, params):
        super().__init__(name, params)
        self._max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 1024 * 1024))
        self._sizes = self._ledgers.setdefault(name, {"total": 0, "sizes": {}})

    @property
    def bytes_used(self) -> int:
        return self._sizes["total"]

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def _set(self, key, value, timeout=None):
        ledger = self._sizes
        self._delete(key)
        size = memory_of(value)
        if size > self._max_bytes:
            return
        while self._cache and (ledger["total"] + size > self._max_bytes or len(self._cache) >= self._max_entries):
            self._delete(next(reversed(self._cache)))  # the least recently used
        super()._set(key, value, timeout)
        ledger["sizes"][key] = size
        ledger["total"] += size

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Texts (the parts of pages, up to 80 of a list page) and whole
        pages are kept unpickled: they cannot be changed in place, so every
        reader may share them, and a page skips a ``pickle.loads`` for each.
        Keys are not checked for memcached, which never sees them."""
        if not isinstance(value, _KEPT_AS_THEY_ARE):
            return super().set(key, value, timeout, version)
        key = self.make_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        for key, value in data.items():
            self.set(key, value, timeout, version)
        return []

    def get(self, key, default=None, version=None):
        return self.get_many([key], version=version).get(key, default)

    def get_many(self, keys, version=None):
        """Django's ``get_many`` asks ``get`` for each key, checking each
        character of each key for memcached's sake: a list page asks for 80.
        Written out here with the prefix made once and the clock read once
        (what ``make_key`` and ``_has_expired`` do per key), since a list page
        asks for its 20 entries at once (``kept_fragments``)."""
        found = {}
        cache, expiry, now = self._cache, self._expire_info, time.time()
        with self._lock:
            for key, internal in zip(keys, self._internal_keys(keys, version), strict=True):
                value = cache.get(internal, _ABSENT)
                if value is _ABSENT:
                    continue
                expires = expiry.get(internal, -1)
                if expires is not None and expires <= now:
                    self._delete(internal)
                else:
                    cache.move_to_end(internal, last=False)
                    found[key] = value
        return {
            key: value if isinstance(value, _KEPT_AS_THEY_ARE) else pickle.loads(value) for key, value in found.items()
        }

    def _internal_keys(self, keys, version) -> list[str]:
        if self.key_func is not default_key_func:
            return [self.make_key(key, version) for key in keys]
        prefix = f"{self.key_prefix}:{self.version if version is None else version}:"
        return [prefix + key for key in keys]

    def _delete(self, key):
        size = self._sizes["sizes"].pop(key, 0)
        self._sizes["total"] -= size
        return super()._delete(key)

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._sizes["sizes"].clear()
            self._sizes["total"] = 0


def memory_of(value) -> int:
    # What a kept value takes: a text or page as it is, else its pickle.
    if isinstance(value, str | Encoded):
        return sys.getsizeof(value)
    if isinstance(value, Texts):
        return sys.getsizeof(value) + sum(map(sys.getsizeof, value))
    if isinstance(value, FrozenPage | AnswerCopy):  # a page: its body and headers
        return sys.getsizeof(value.body) + sum(len(name) + len(text) for name, text in value.headers)
    return len(value)


def cached_fragment(key: str, render) -> str:
    """``render()``, kept under ``key`` in this process's memory for parts of pages
    (``caches["fragments"]``) while the page cache is on."""
    html = kept_fragments([key]).get(key)
    if html is None:
        html = render()
        keep_fragments({key: html})
    return html


def kept_fragments(keys: list[str]) -> dict[str, str]:
    """Those of ``keys`` kept by ``cached_fragment`` or ``keep_fragments``."""
    return caches["fragments"].get_many(keys) if settings.PAGE_CACHE else {}


def keep_fragments(fragments: dict[str, str]) -> None:
    # Until the memory's bound pushes them out: a part's key holds everything
    # its markup depends on (an entry's version, the day, the value chosen).
    if settings.PAGE_CACHE:
        caches["fragments"].set_many(fragments, None)


def fingerprint(*parts) -> str:
    """A short digest of values, for keys of rendered fragments."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def selection_key(widget, value):
    """A widget's value as part of a key for its markup: the chosen values of a
    multiple choice in one order, since the widget marks them in the order of
    its choices whatever their order in the URL (kanto+kinki is kinki+kanto)."""
    if getattr(widget, "allow_multiple_selected", False) and isinstance(value, list | tuple):
        return sorted(map(str, value))
    return value


class RenderedOnceMixin:
    """For a form widget: its HTML for one name, value and set of attributes
    is rendered once per process and then reused (a filter form of ~60
    checkboxes costs ~5 ms to render through templates). Whatever the
    widget's templates produce is what is kept.

    A group of checkboxes goes further: every search may choose another set,
    and the first drawing of each set through the templates was a quarter of
    a new process's list pages. Its markup is drawn from parts rendered once
    per process (``SelectionPlan``): no template runs for a set not seen
    before."""

    def render(self, name, value, attrs=None, renderer=None):
        shape = (type(self).__qualname__, name, attrs, self.attrs, list(getattr(self, "choices", ())))
        if settings.PAGE_CACHE and getattr(self, "allow_multiple_selected", False):
            plan = _plans.get(shape_key := fingerprint(*shape), _UNKNOWN)
            if plan is _UNKNOWN:
                plan = _plans.keep(shape_key, SelectionPlan.of(self, name, attrs, renderer))
            if plan is not None:
                return mark_safe(plan.draw(self.format_value(value)))
        key = "widget:" + fingerprint(*shape, selection_key(self, value))
        return mark_safe(
            cached_fragment(key, lambda: super(RenderedOnceMixin, self).render(name, value, attrs, renderer))
        )


@dataclass(frozen=True, slots=True)
class SelectionPlan:
    """A multiple-choice widget's markup as its markup with nothing chosen, cut
    around each option's own markup: a set of choices is the cuts joined with
    each option's markup, checked or not. Made from the widget's own
    templates, and used only where that gives, for nothing chosen, one
    choice and all of them, exactly what the templates give (``of``); a
    widget whose markup depends on the set in any other way
    keeps being rendered through its templates."""

    cuts: tuple[str, ...]
    options: tuple[tuple[str, str, str], ...]  # (value, markup unchecked, markup checked)

    @classmethod
    def of(cls, widget, name, attrs, renderer) -> SelectionPlan | None:
        def options(values):
            context = widget.get_context(name, values, attrs)
            return [option for _, group, _ in context["widget"]["optgroups"] for option in group]

        def markup(option):
            # As the widget's template includes it: ``{% include option.template_name with widget=option %}``.
            return widget._render(option["template_name"], {"widget": option}, renderer)

        plain = options([])
        checked = options([str(option["value"]) for option in plain])
        whole = super(RenderedOnceMixin, widget).render
        base, cuts, cursor = whole(name, [], attrs, renderer), [], 0
        for option in plain:
            found = base.find(text := markup(option), cursor)
            if found < 0:
                return None
            cuts.append(base[cursor:found])
            cursor = found + len(text)
        cuts.append(base[cursor:])
        plan = cls(
            tuple(cuts),
            tuple((str(p["value"]), markup(p), markup(c)) for p, c in zip(plain, checked, strict=True)),
        )
        every = [value for value, _, _ in plan.options]
        checks = [[], every[:1], every]
        return plan if all(plan.draw(chosen) == whole(name, chosen, attrs, renderer) for chosen in checks) else None

    def draw(self, values: list[str]) -> str:
        chosen = set(values)
        parts = [self.cuts[0]]
        for (value, plain, checked), cut in zip(self.options, self.cuts[1:], strict=True):
            parts += (checked if value in chosen else plain, cut)
        return "".join(parts)


class _Plans(dict):
    """This process's ``SelectionPlan`` for each widget shape (a form's few groups
    of checkboxes); bounded, since a shape comes from code, not from requests."""

    def keep(self, key, plan):
        if len(self) >= 256:
            self.clear()
        self[key] = plan
        return plan


_plans = _Plans()
_UNKNOWN = object()
_ABSENT = object()
