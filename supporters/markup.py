"""Each entry's markup on the list, rendered once per change and shared by every process.

A list page draws each of its 20 entries twice (a card for phones, a row of
the table), and a search nobody made before meets entries this process has
not drawn yet: drawing them was the largest part of such a page right after
a start, and a sixth of it after thousands of searches (docs/performance.md).
So the markup is rendered when an entry changes (after the commit), stored
in ``EntryMarkup`` and read with the page (``entry_fragments``,
supporters/templatetags/entry_tags.py), one query for the cards and rows of
the entries this process has not kept yet. ``manage.py render_entries`` renders
what is missing or outdated, after a deploy (docs/deployment.md).

Stored markup is used only while it is exactly what rendering now would
give: the entry's ``modified_at`` is the version it was rendered from, the
template and its includes have the same source, and the 情報更新から1年以上
mark (which depends on today's date) is the same. Otherwise, and for an entry
changed by a bulk update that rendered nothing, the page renders it as before.
Values that differ between requests (``STORED``) are stored as placeholders.
"""

from __future__ import annotations

import functools
from collections import Counter

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router, transaction
from django.template import engines
from django.template.loader import get_template
from django.urls import get_script_prefix
from jinja2 import meta

from config import dates

from .cache import Texts, directory_version, fingerprint, keep_fragments, memory_of
from .index import EntryStub, index_for
from .models import EntryMarkup, Supporter, stale_cutoff

# The templates whose markup is stored, with the names of the values each
# takes from the request (rendered as placeholders, put in on every use).
STORED = {
    "supporters/_card.html": ("querystring",),
    "supporters/_row.html": ("querystring",),
}
BATCH = 500


def placeholder(name: str) -> str:
    """Where a value of the request goes in kept markup (characters of the
    private use area, which no entry or template contains)."""
    return f"\ue000{name}\ue001"


def stand_ins(varying: dict) -> dict:
    """What markup kept for later use is rendered with, for the values from
    the request: a placeholder for each; a falsy value is rendered as itself
    ({% if querystring %} must see it)."""
    return {name: placeholder(name) if value else value for name, value in varying.items()}


def fragment_keys(template_names, entries, stand_ins: dict) -> list[str]:
    """The keys of these entries' markup in the memory for parts of pages,
    drawn in ``template_names`` with ``stand_ins``: one per entry, for the
    markup of all the templates together (``entry_fragments``)."""
    shared = fingerprint(tuple(template_names), dates.today(), get_script_prefix(), stand_ins)
    return [f"entry:{shared}:{entry.pk}:{_version(entry)}" for entry in entries]


def _version(entry) -> str:
    version = getattr(entry, "fragment_version", None)  # index.EntryStub: no row needed
    if version is None:
        return fingerprint([entry.__dict__.get(field.attname) for field in entry._meta.concrete_fields])
    return str(version)


def keep_stored(share: float = 0.9) -> int:
    """Put the stored markup of the published entries into this process's
    memory for parts of pages, as the list page looks it up (a card and a row
    each, with a query string); the number of entries kept.

    Run once by each web process after its warm-up (``WARM_UP_TASKS``,
    config/warmup.py). Without it, a search meets entries this process has
    not drawn yet on most pages right after a start and on nearly half after
    thousands of searches, and reads their stored markup (about 0.4-0.6 ms a
    page on SQLite). One query reads it all: 0.7 s at 25,000 entries with
    the keys, on SQLite (docs/decisions/0920). It
    takes up to ``share`` of that memory's bound (all 25,000 entries take
    56 MB, more than half of the default 64 MiB), the lowest 登録番号 first:
    they are the first shown in the list's default order. The rest of the
    memory stays for the filter parts and the entries drawn later, which
    push out the least used of these as they come.
    """
    names = list(STORED)  # the order the list page draws them in (supporters/_results.html)
    # As a list page with a query string asks for them (every value from the request set).
    if not all(storable(name, dict.fromkeys(STORED[name], "?")) for name in names):
        return 0
    directory = index_for(directory_version())
    alias = router.db_for_read(EntryMarkup)
    connection = connections[alias]
    found: dict[int, dict[str, str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_valid_sql(alias, "m.template, m.supporter_id, m.html", None), _valid_params(connection))
        for template_name, pk, html in cursor.fetchall():
            found.setdefault(pk, {})[template_name] = html
    entries = [  # in 登録番号 order; only their keys are needed, never their rows
        EntryStub(pk, directory.version(at), None)
        for at, pk in enumerate(directory.pk.tolist())
        if len(found.get(pk, ())) == len(names)
    ]
    names_stand_ins = stand_ins(dict.fromkeys(STORED[names[0]], "?"))
    memory = caches["fragments"]
    room = int(memory.max_bytes * share)
    chosen = {}
    for key, entry in zip(fragment_keys(names, entries, names_stand_ins), entries, strict=True):
        texts = Texts(found[entry.pk][name].encode() for name in names)
        room -= memory_of(texts)
        if room < 0:
            break
        chosen[key] = texts
    # The lowest 登録番号 last, so that they are the last to be pushed out.
    keep_fragments(dict(reversed(chosen.items())))
    return len(chosen)


def render(template_name: str, entry, stand_ins: dict) -> str:
    """One entry's markup: the template sees the entry as ``s``."""
    return get_template(template_name, using="jinja2").render({"s": entry, **stand_ins})


def storable(template_name: str, varying: dict) -> bool:
    """Whether stored markup can serve this use of the template: every value
    from the request is set (an empty one is rendered as itself, which a
    template may test with ``{% if %}``). Off with the page cache (DEBUG), so
    that a template edited under runserver shows at once."""
    return settings.PAGE_CACHE and STORED.get(template_name) == tuple(sorted(varying)) and all(varying.values())


def digest(template_name: str) -> str:
    """A digest of the template's source and of every template it includes,
    and of the site's path (its links start with it): stored markup from
    another source, or rendered for the site at another path, is not used."""
    return _digest(template_name, get_script_prefix())


@functools.cache
def _digest(template_name: str, script_prefix: str) -> str:
    env = engines["jinja2"].env
    sources, todo = {}, [template_name]
    while todo:
        name = todo.pop()
        if name in sources:
            continue
        sources[name] = env.loader.get_source(env, name)[0]
        todo.extend(n for n in meta.find_referenced_templates(env.parse(sources[name])) if n)
    return fingerprint(script_prefix, sorted(sources.items()))


def stored(pks: list[int]) -> dict[str, dict[int, str]]:
    """The stored markup of these entries that is still valid, for each
    template of ``STORED`` (the page draws each entry in each), with one query."""
    alias = router.db_for_read(EntryMarkup)
    connection = connections[alias]
    found: dict[str, dict[int, str]] = {name: {} for name in STORED}
    with connection.cursor() as cursor:
        cursor.execute(
            _valid_sql(alias, "m.template, m.supporter_id, m.html", len(pks)), [*_valid_params(connection), *pks]
        )
        for template_name, pk, html in cursor.fetchall():
            found[template_name][pk] = html
    return found


def outdated() -> list[int]:
    """The published entries whose markup in some template is missing or no longer valid."""
    alias = router.db_for_read(EntryMarkup)
    connection = connections[alias]
    published = list(Supporter.objects.published().order_by("pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(_valid_sql(alias, "m.supporter_id", None), _valid_params(connection))
        valid = Counter(pk for (pk,) in cursor.fetchall())
    return [pk for pk in published if valid[pk] < len(STORED)]


def _valid_params(connection) -> list:
    by_template = [value for name in STORED for value in (name, digest(name))]
    return [*by_template, connection.ops.adapt_datefield_value(stale_cutoff())]


@functools.lru_cache(maxsize=64)
def _valid_sql(alias: str, columns: str, count: int | None) -> str:
    # Built once per number of entries: the rule of validity above, in SQL.
    quote = connections[alias].ops.quote_name
    templates = " OR ".join(["(m.template = %s AND m.digest = %s)"] * len(STORED))
    sql = (
        f"SELECT {columns} FROM {quote(EntryMarkup._meta.db_table)} m"
        f" INNER JOIN {quote(Supporter._meta.db_table)} s ON s.id = m.supporter_id"
        f" WHERE ({templates}) AND m.version = s.modified_at AND m.stale = (s.updated_on < %s)"
    )
    if count is not None:
        sql += f" AND m.supporter_id IN ({', '.join(['%s'] * count)})"
    return sql


def refresh(pks: list[int]) -> int:
    """Render and store the markup of the published entries among ``pks``
    (as they are in the database now); the number of entries rendered."""
    rendered = 0
    for start in range(0, len(pks), BATCH):
        rows = list(Supporter.objects.published().filter(pk__in=pks[start : start + BATCH]).defer("search_text"))
        markup = [
            EntryMarkup(
                supporter_id=row.pk,
                template=name,
                digest=digest(name),
                version=row.modified_at,
                stale=row.is_stale,
                html=render(name, row, {value: placeholder(value) for value in varying}),
            )
            for row in rows
            for name, varying in STORED.items()
        ]
        # An upsert: two processes rendering the same entry at once both succeed,
        # and markup from an older state of it is never valid (its version).
        EntryMarkup.objects.bulk_create(
            markup,
            update_conflicts=True,
            unique_fields=["supporter", "template"],
            update_fields=["digest", "version", "stale", "html"],
        )
        rendered += len(rows)
    return rendered


def refresh_after_commit(pks: list[int]) -> None:
    """Render the entries' markup once the transaction that changed them has
    committed. A failure is logged, not raised: the change is saved, and the
    list renders an entry whose stored markup is not valid."""
    if pks:
        transaction.on_commit(lambda: refresh(pks), robust=True)


def refresh_saved(sender, instance: Supporter, raw: bool = False, **kwargs) -> None:
    """post_save of an entry: its markup once the change is committed (not
    for loaddata's raw saves: restore_data renders every entry at the end)."""
    if not raw and instance.status == Supporter.Status.PUBLISHED:
        refresh_after_commit([instance.pk])
