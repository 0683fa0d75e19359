"""Template helpers of the directory: an entry's published fields, its kept markup, the list's results."""

import json

from django import template
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from supporters import markup
from supporters.cache import Encoded, Texts, keep_fragments, kept_fragments, selection_key
from supporters.index import EntryStub, read_rows

register = template.Library()


@register.filter
def is_public(supporter, field_name: str) -> bool:
    return supporter.is_public(field_name)


@register.filter
def public_value(supporter, field_name: str):
    return supporter.public(field_name)


def entry_fragments(template_names: list[str], entries, **varying) -> list[bytes]:
    """The markup of each entry in each of ``template_names`` (Jinja2
    templates), rendered once per version of the entry; one markup per
    template, in UTF-8 (config/jinja2.py's ``EncodedParts`` puts it in the page).

        {% set cards, rows = entry_fragments(["supporters/_card.html", "supporters/_row.html"],
                                             supporters, querystring=querystring) %}
        {{ part(cards) }}

    (in the list page, a Jinja2 template: supporters.views._list_page). Each
    template (templates/jinja2/, config/jinja2.py) sees one entry as ``s``.
    An entry's HTML in all the templates is kept together in this process's
    memory for parts of pages, encoded, under the entry's primary key, its version
    (``modified_at`` from the list's index, else a digest of its loaded field
    values), today's date (marks such as 情報更新から1年以上) and the
    templates (``markup.fragment_keys``): one lookup a page. Each web process
    puts the stored markup there after its warm-up (``markup.keep_stored``).
    Of the entries not kept yet, those of the list's index take the markup
    stored when they changed
    (supporters/markup.py) where it is still valid in every template; only
    the rest have their rows read (together, supporters/index.py) and
    rendered: one read of the stored markup, one read of the rows.
    The keyword arguments are values that differ from request to request:
    the markup is rendered with a placeholder for each and the value is put
    in on every use, escaped as ``{{ name }}`` would be. Works whatever the
    template is, as long as it shows the entry's own fields (a related
    object's change does not change the entry's version); off with the page
    cache (DEBUG).
    """
    entries = list(entries)
    stand_ins = markup.stand_ins(varying)
    keys = markup.fragment_keys(template_names, entries, stand_ins)
    kept = kept_fragments(keys)
    missing = [(key, entry) for key, entry in zip(keys, entries, strict=True) if key not in kept]
    found = {}
    # Markup rendered when the entry changed, by any process; only for
    # entries of the index, whose rows this page has not read.
    stubs = sorted({entry.pk for _, entry in missing if isinstance(entry, EntryStub)})
    if stubs and all(markup.storable(name, varying) for name in template_names):
        stored = markup.stored(stubs)
        for key, entry in missing:
            if all(entry.pk in stored.get(name, {}) for name in template_names):
                found[key] = Texts(stored[name][entry.pk].encode() for name in template_names)
        missing = [(key, entry) for key, entry in missing if key not in found]
    if missing:
        rows = read_rows([entry for _, entry in missing])
        found.update(
            (key, Texts(markup.render(name, row, stand_ins).encode() for name in template_names))
            for (key, _), row in zip(missing, rows, strict=True)
        )
    if found:
        keep_fragments(found)
        kept.update(found)
    drawn = []
    for i in range(len(template_names)):
        html = b"".join(kept[key][i] for key in keys)
        for value_name, value in varying.items():
            if value:
                html = html.replace(markup.placeholder(value_name).encode(), conditional_escape(value).encode())
        drawn.append(html)
    return drawn


def fields_once(form, fields: list) -> bytes:
    """The markup of form fields, each from its template (which sees it as
    ``field``) and rendered once per process for each value submitted and
    each error; one lookup for them all. In UTF-8, as ``entry_fragments``
    gives its markup. ``fields`` are names (drawn by ``_field.html``) or
    (name, template) pairs:

        {{ part(fields_once(form, ["q", ("region", "supporters/_filter_group.html"), "fresh"])) }}

    For fields whose markup depends on nothing else, such as one group of the
    list's filters: it is the same on every page that selects the same values.
    Kept in the memory for parts of pages (off with the page cache, under DEBUG).
    """
    named = [(field, "_field.html") if isinstance(field, str) else tuple(field) for field in fields]
    keys = [_field_key(form, name, template_name) for name, template_name in named]
    kept = kept_fragments(keys)
    if drawn := {
        key: Encoded(get_template(template_name).render({"field": form[name]}).encode())
        for key, (name, template_name) in zip(keys, named, strict=True)
        if key not in kept
    }:
        keep_fragments(drawn)
        kept.update(drawn)
    return b"\n".join(kept[key] for key in keys)


def _field_key(form, name: str, template_name: str) -> str:
    html_name = form.add_prefix(name)
    values = form.data.getlist(html_name) if hasattr(form.data, "getlist") else form.data.get(html_name)
    values = selection_key(form.fields[name].widget, values)
    # By repr: an ErrorList's str() renders a template. Not digested as other
    # keys are (fingerprint): ten digests were 20 µs of each list page, and
    # the key is never much longer than the markup it names, which shows
    # the same values.
    parts = (template_name, type(form).__qualname__, html_name, form.is_bound, values, form.errors.get(name))
    return "field:" + repr(parts)


# The characters that could end the script element or start markup, escaped
# inside JSON strings (as django.utils.html.json_script does).
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def ld_json(data) -> str:
    """schema.org data for search engines: a data block, which no CSP blocks (it never runs)."""
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
