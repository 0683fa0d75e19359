"""The public list's filters, counted and paged in memory, rebuilt once per change.

Every filter of the list is "has any of these terms" within a parameter and
AND across parameters, on one row (docs/decisions/0002). In SQL no index can
serve ``(column & mask) <> 0``, so the count scanned every published row on
every request: 40-70 ms of the 45-55 ms a cold list page took at 25,000
entries (docs/performance.md). Here each process keeps the published entries'
filter columns as numpy arrays, loaded by one query the first time the list
is asked for after a change (the index is keyed by the directory version and
the date), and answers a combination with a few vectorised ANDs and ORs over
them; the count is a sum, a page is a slice of a precomputed sort order, and
only the page's 20 rows are read from the database, by primary key.

The predicates are the SQL ones of supporters/filters.py (``CONDITIONS``), term for term;
tests/supporters/test_list_index.py checks that both give the same entries in
the same order for many combinations. A filter this module does not know
(``FILTERS``) makes the list fall back to SQL, so a new filter is correct
before it is fast.
"""

from __future__ import annotations

import datetime
import functools
import threading

import numpy as np
from django.db import connections

from config import dates

from . import search
from .models import Supporter, stale_cutoff
from .taxonomy import FEES, FORMS, INDUSTRIES, PERIODS, PREFECTURES, REGIONS, THEMES, place_named, prefectures_of

TERM_COLUMNS = ("regions", "prefectures", "industries", "themes", "forms", "periods")
# Parameter → the term-set column it filters ("has any") and its taxonomy.
HAS_ANY = {
    "industry": ("industries", INDUSTRIES),
    "theme": ("themes", THEMES),
    "form": ("forms", FORMS),
    "period": ("periods", PERIODS),
}
FILTERS = frozenset({"q", "prefecture", "region", "fee", "first_free", "fresh", "sort", *HAS_ANY})
# Parameters whose one-value searches are counted for every term at once (the
# map, /stats/): ``counts(name)`` is what the list shows for ``?name=<slug>``.
COUNTED = {
    "prefecture": PREFECTURES,
    "region": REGIONS,
    "industry": INDUSTRIES,
    "theme": THEMES,
    "form": FORMS,
    "period": PERIODS,
    "fee": FEES,
}
# ``sort`` values → (column, descending); ties and the default go by 登録番号.
SORTS = {
    "registration_no": ("registration_no", False),
    "-registration_no": ("registration_no", True),
    "updated": ("updated_on", False),
    "-updated": ("updated_on", True),
    "cases": ("support_cases", False),
    "-cases": ("support_cases", True),
}
# How many filters' matching rows an index keeps besides its terms' (a
# boolean per entry each: about 12 MB at 25,000 entries when full; then it
# starts again).
PREDICATE_MEMO = 512


class DirectoryIndex:
    """The published entries' filter columns, in 登録番号 order."""

    def __init__(self, today: datetime.date):
        query = (
            Supporter.objects.published()
            .order_by("registration_no")
            .values_list(
                "pk",
                "registration_no",
                "name",
                "modified_at",
                "updated_on",
                "support_cases",
                "nationwide",
                "fee",
                "first_free",
                "search_text",
                *TERM_COLUMNS,
            )
        )
        # Raw values: Django's per-value converters would take most of a second
        # at 25,000 rows; term sets stay the integers they are stored as.
        sql, params = query.query.sql_with_params()
        with connections[query.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        self.size = len(rows)
        columns = list(zip(*rows, strict=True)) if rows else [()] * (10 + len(TERM_COLUMNS))
        pk, registration_no, names, modified, updated, cases, nationwide, fee, first_free, texts, *bits = columns
        self.pk = np.array(pk, dtype=np.int64)
        self.registration_no = np.array(registration_no, dtype=object)
        self.names = names  # as stored: a place word also matches a name containing it
        # Every write path sets modified_at (SupporterQuerySet): the entry's version.
        self.modified = modified
        self._versions: list[str | None] = [None] * self.size
        # Days since 1970 (SQLite gives ISO strings, PostgreSQL dates).
        self.updated = np.array(updated, dtype="datetime64[D]").astype(np.int64)
        self.cases = np.array([-1 if c is None else c for c in cases], dtype=np.int64)
        self.nationwide = np.array(nationwide, dtype=bool)
        fee_codes = {slug: code for code, slug in enumerate(FEES.slugs, start=1)}
        self.fee = np.array([fee_codes.get(f, 0) for f in fee], dtype=np.int64)
        self.fee_codes = fee_codes
        self.first_free = np.array(first_free, dtype=bool)
        self.bits = {name: np.array(values, dtype=np.int64) for name, values in zip(TERM_COLUMNS, bits, strict=True)}
        self.fresh = self.updated >= np.datetime64(stale_cutoff(today), "D").astype(np.int64)
        self.texts = texts  # folded public text, for the keyword search
        self._orders: dict[str, np.ndarray] = {}
        self._predicates: dict[tuple, np.ndarray] = {}
        self._counts: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()
        # The rows of every term of every parameter (``?name=<slug>``), worked
        # out with the index (95 terms: 5 ms and 2.4 MB at 25,000
        # entries) rather than by the first searches after each change: a
        # search of several terms of one parameter is their union.
        self._terms = {
            (name, slug): predicate([slug])
            for name, predicate in self._term_predicates()
            for slug in COUNTED[name].slugs
        }

    # Filters: the SQL predicates of SupporterFilter, over arrays -------------

    def _has_any(self, column: str, taxonomy, slugs) -> np.ndarray:
        return (self.bits[column] & taxonomy.mask(slugs)) != 0

    def _region(self, slugs) -> np.ndarray:
        prefectures = [p.slug for r in slugs for p in prefectures_of(r)]
        return (
            self.nationwide
            | self._has_any("regions", REGIONS, slugs)
            | self._has_any("prefectures", PREFECTURES, prefectures)
        )

    def _prefecture(self, slugs) -> np.ndarray:
        regions = sorted({PREFECTURES.get(slug).region for slug in slugs})
        return (
            self.nationwide
            | self._has_any("regions", REGIONS, regions)
            | self._has_any("prefectures", PREFECTURES, slugs)
        )

    def _fee(self, slugs) -> np.ndarray:
        return np.isin(self.fee, [self.fee_codes[slug] for slug in slugs])

    def _term_predicates(self):
        """(parameter, the rows matching a list of its terms) for each parameter of several terms."""
        yield "prefecture", self._prefecture
        yield "region", self._region
        for name, (column, taxonomy) in HAS_ANY.items():
            yield name, functools.partial(self._has_any, column, taxonomy)
        yield "fee", self._fee

    def _any_of(self, name: str, slugs: list[str]) -> np.ndarray:
        """The rows matching any of the terms ``slugs`` of parameter ``name``:
        every filter is "has any" within a parameter (decision 0002), so the
        union of the terms' rows, kept for the next search of the same terms."""
        if len(slugs) == 1:
            return self._terms[(name, slugs[0])]
        return self._kept((name, *sorted(slugs)), self._union, [self._terms[(name, slug)] for slug in slugs])

    @staticmethod
    def _union(rows: list[np.ndarray]) -> np.ndarray:
        return np.logical_or.reduce(rows)

    def _contains(self, values, text: str) -> np.ndarray:
        return np.fromiter((text in value for value in values), dtype=bool, count=self.size)

    def _kept(self, key: tuple, compute, *args) -> np.ndarray:
        """``compute(*args)``, the rows matching one filter's values, worked out once
        per index: a search nobody made before mostly combines filter values
        met before, and each costs a few passes over every entry."""
        found = self._predicates.get(key)
        if found is None:
            found = compute(*args)
            with self._lock:
                if len(self._predicates) >= PREDICATE_MEMO:
                    self._predicates.clear()
                self._predicates[key] = found
        return found

    def _keyword(self, word: str, token: str) -> np.ndarray:
        """One word of ``q``, as models.search_q reads it (a place, a 登録番号 or text):
        substring tests per row, as SQL's LIKE does (a few ms at 25,000 rows)."""
        place = place_named(word)
        if place is not None:
            # A place word's name test uses the word as typed.
            serving = self._prefecture if place.kind == "prefecture" else self._region
            return serving([place.slug]) | self._contains(self.names, word)
        if token.isdigit() and len(token) <= 6:
            return (self.registration_no == token.zfill(6)) | self._contains(self.texts, token)
        return self._contains(self.texts, token)

    def matches(self, data: dict) -> np.ndarray:
        """Rows matching the cleaned filter values (a boolean array)."""
        selected = np.ones(self.size, dtype=bool)
        for word, token in search.query_words(data.get("q") or ""):
            selected &= self._kept(("q", word, token), self._keyword, word, token)
        for name in COUNTED:  # every parameter of terms, as a search or a count reads it
            if values := data.get(name):
                selected &= self._any_of(name, values)
        if data.get("first_free"):
            selected &= self.first_free
        if data.get("fresh"):
            selected &= self.fresh
        return selected

    def version(self, at: int) -> str:
        """The version of the entry at row ``at`` as text, part of its markup's
        key (supporters/markup.py): written once per index, since writing a
        date and time took 2 µs, 40 µs of each list page."""
        text = self._versions[at]
        if text is None:
            text = self._versions[at] = str(self.modified[at])
        return text

    def counts(self, name: str) -> dict[str, int]:
        """For each term of ``name`` (``COUNTED``), how many entries ``?name=<slug>``
        finds: the same predicate as the list's, worked out once per index."""
        found = self._counts.get(name)
        if found is None:
            found = {slug: int(np.count_nonzero(self.matches({name: [slug]}))) for slug in COUNTED[name].slugs}
            with self._lock:
                self._counts[name] = found
        return found

    def order(self, sort: str) -> np.ndarray:
        """Row positions in the order ``sort`` asks for (the list's ORDER BY)."""
        found = self._orders.get(sort)
        if found is None:
            column, descending = SORTS.get(sort, ("registration_no", False))
            position = np.arange(self.size, dtype=np.int64)  # 登録番号 order
            if column == "registration_no":
                found = position[::-1] if descending else position
            else:
                values = {"updated_on": self.updated, "support_cases": self.cases}[column]
                missing = values < 0  # no 件数: last in both directions
                key = -values if descending else values
                # lexsort: the last key is the primary one.
                found = np.lexsort((position, key, missing))
            with self._lock:
                self._orders[sort] = found
        return found

    def search(self, data: dict) -> np.ndarray:
        """Positions of the matching entries, in the requested order."""
        return self.result(data).positions()

    def result(self, data: dict) -> IndexedResult:
        """The matching entries, to be counted and paged through (the list page)."""
        sort = (data.get("sort") or [""])[0]
        natural = SORTS.get(sort, ("registration_no", False)) == ("registration_no", False)
        return IndexedResult(self, self.matches(data), None if natural else self.order(sort))

    def count(self, data: dict) -> int:
        """How many entries match the cleaned filter values."""
        return int(np.count_nonzero(self.matches(data)))

    def pks(self, data: dict) -> list[int]:
        return [int(pk) for pk in self.pk[self.search(data)]]


class IndexedResult:
    """The matching entries as the paginator reads them: a count, then a
    slice of ``EntryStub``s (no query until a stub's row is needed).

    A page needs only the first matches in the requested order up to its
    last entry: they are looked for that far into the order, not in all of
    it (ordering every match of 25,000 entries took 40 µs of each sorted list page)."""

    def __init__(self, directory: DirectoryIndex, selected: np.ndarray, order: np.ndarray | None):
        self.directory = directory
        self._selected = selected
        self._order = order  # row positions in the requested order; None: the rows' own (登録番号)
        self._count = int(np.count_nonzero(selected))

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def positions(self, stop: int | None = None) -> np.ndarray:
        """The positions of the first ``stop`` matching rows (all of them by default), in order."""
        selected, order = self._selected, self._order
        stop = self._count if stop is None else min(stop, self._count)
        if stop == self._count:
            return np.flatnonzero(selected) if order is None else order[selected[order]]
        found, total, start = [], 0, 0
        chunk = _first_step(stop, self._count, self.directory.size)
        while total < stop:
            if order is None:
                hits = np.flatnonzero(selected[start : start + chunk]) + start
            else:
                rows = order[start : start + chunk]
                hits = rows[selected[rows]]
            found.append(hits)
            total += len(hits)
            start += chunk
            chunk *= 2
        return np.concatenate(found)[:stop]

    def __getitem__(self, window: slice) -> list[EntryStub]:
        chosen = self.positions(window.stop)[window]
        rows = _PageRows(self.directory.pk[chosen].tolist())
        version = self.directory.version
        return [EntryStub(pk, version(at), rows) for pk, at in zip(rows.pks, chosen.tolist(), strict=True)]


def _first_step(wanted: int, matching: int, size: int) -> int:
    # Twice as many rows as hold ``wanted`` matches at their average density, and a margin.
    return 64 + (2 * wanted * size) // matching


class _PageRows:
    """The full rows of one page, read on first need: those asked for
    together (``read_rows``), else the whole page in one query."""

    def __init__(self, pks: list[int]):
        self.pks = pks
        self._rows: dict[int, Supporter] = {}

    def read(self, pks: list[int]) -> None:
        wanted = [pk for pk in pks if pk not in self._rows]
        if wanted:
            rows = {row.pk: row for row in Supporter.objects.raw(_rows_sql(len(wanted)), wanted)}
            # Deleted since the index was built (this request's page is not
            # kept: the deletion changed the version): an empty row, not an error.
            self._rows.update({pk: rows.get(pk) or Supporter(pk=pk) for pk in wanted})

    def get(self, pk: int) -> Supporter:
        if pk not in self._rows:
            self.read(self.pks)
        return self._rows[pk]


@functools.lru_cache(maxsize=64)
def _rows_sql(count: int) -> str:
    # The SQL of ``count`` full rows by primary key, compiled once per count:
    # Django compiles a query of this model's ~50 columns in about 0.5 ms,
    # and a page seen for the first time reads its rows with one.
    sql, params = Supporter.objects.defer("search_text").filter(pk__in=range(count)).query.sql_with_params()
    assert len(params) == count, "one placeholder per key"
    return sql


def read_rows(entries) -> list[Supporter]:
    """The full rows of these entries of a page, read together in one query
    (the page's other entries may never need theirs). Entries that are rows
    already are given as they are."""
    stubs = [entry for entry in entries if isinstance(entry, EntryStub)]
    if stubs:
        stubs[0]._rows.read([stub.pk for stub in stubs])
    return [entry.entry if isinstance(entry, EntryStub) else entry for entry in entries]


class EntryStub:
    """An entry of a page known by its key and version. Anything else asked
    of it comes from its full row, read with the page's other rows that are
    needed (``read_rows``); a page whose rows are all rendered already
    (``entry_fragments``) reads none."""

    __slots__ = ("pk", "fragment_version", "_rows")

    def __init__(self, pk: int, version, rows: _PageRows):
        self.pk = pk
        self.fragment_version = version
        self._rows = rows

    @property
    def entry(self) -> Supporter:
        return self._rows.get(self.pk)

    def __getattr__(self, name):
        return getattr(self.entry, name)

    def __str__(self):
        return str(self.entry)

    def __eq__(self, other):
        return self.entry == other

    def __hash__(self):
        return hash(self.entry)


_lock = threading.Lock()
_current: tuple[tuple, DirectoryIndex] | None = None


def index_for(version: str, today: datetime.date | None = None) -> DirectoryIndex:
    """This process's index for the directory version; built on first use.

    The version is read before the rows, so an index is never older than the
    version it is kept under (supporters/cache.py publishes after commit).
    """
    global _current
    today = today or dates.today()
    key = (version, today)
    current = _current
    if current is not None and current[0] == key:
        return current[1]
    with _lock:
        if _current is None or _current[0] != key:
            _current = (key, DirectoryIndex(today))
        return _current[1]


def can_answer(filterset) -> bool:
    """Whether every parameter in use is one this index evaluates."""
    data = filterset.form.cleaned_data
    used = {name for name, value in data.items() if value not in (None, "", [], False)}
    return used <= FILTERS and len(data.get("sort") or []) <= 1
