"""Template filters for a directory entry's published fields."""

import json

from django import template
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from supporters.cache import cached_fragment, fingerprint, keep_fragments, kept_fragments
from supporters.index import read_rows

register = template.Library()


@register.filter
def is_public(supporter, field_name: str) -> bool:
    return supporter.is_public(field_name)


@register.filter
def public_value(supporter, field_name: str):
    return supporter.public(field_name)


@register.simple_tag
def entry_fragments(template_name: str, entries, **varying) -> str:
    """The markup of each entry, from a Jinja2 template, rendered once per version of the entry.

        {% entry_fragments "supporters/_row.html" supporters querystring=querystring %}

    The template (templates/jinja2/, config/jinja2.py) sees one entry as
    ``s``. Its HTML is kept in this process's memory for parts of pages under
    the entry's primary key, its version (``modified_at`` from the list's
    index, else a digest of its loaded field values), today's date (marks
    such as 情報更新から1年以上) and the template. Only the entries not kept
    yet have their rows read (together, supporters/index.py) and rendered.
    The keyword arguments are values that differ from request to request:
    the markup is rendered with a placeholder for each and the value is put
    in on every use, escaped as ``{{ name }}`` would be. Works whatever the
    template is, as long as it shows the entry's own fields (a related
    object's change does not change the entry's version); off with the page
    cache (DEBUG).
    """
    entries = list(entries)
    # A falsy value is rendered as itself ({% if querystring %} must see it).
    stand_ins = {name: _placeholder(name) if value else value for name, value in varying.items()}
    today = timezone.localdate()
    keys = ["entry:" + fingerprint(template_name, entry.pk, _version(entry), today, stand_ins) for entry in entries]
    kept = kept_fragments(keys)
    missing = [(key, entry) for key, entry in zip(keys, entries, strict=True) if key not in kept]
    if missing:
        rows = read_rows([entry for _, entry in missing])
        template = get_template(template_name, using="jinja2")
        rendered = {key: template.render({"s": row, **stand_ins}) for (key, _), row in zip(missing, rows, strict=True)}
        keep_fragments(rendered)
        kept.update(rendered)
    html = "".join(kept[key] for key in keys)
    for name, value in varying.items():
        if value:
            html = html.replace(_placeholder(name), conditional_escape(value))
    return mark_safe(html)


def _version(entry):
    version = getattr(entry, "fragment_version", None)  # index.EntryStub: no row needed
    if version is None:
        version = [entry.__dict__.get(field.attname) for field in entry._meta.concrete_fields]
    return version


def _placeholder(name: str) -> str:
    return f"\ue000{name}\ue001"


@register.tag
def rendered_once(parser, token):
    """Render the enclosed markup once per process for each set of values.

        {% rendered_once field.name field.data form.errors %}…{% endrendered_once %}

    The arguments are everything the markup depends on (values whose repr
    tells them apart: strings, numbers, lists of them); it is kept in the page
    cache's memory (off with it, under DEBUG) under their values and where the
    tag stands. For parts of a page that vary with few values, such as one
    group of the list's filters, whose markup is the same on every page that
    selects the same values.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("rendered_once needs the values the markup depends on")
    nodelist = parser.parse(("endrendered_once",))
    parser.delete_first_token()
    where = f"{parser.origin.name if parser.origin else ''}:{token.lineno}"
    return RenderedOnceNode(nodelist, [parser.compile_filter(bit) for bit in bits[1:]], where)


class RenderedOnceNode(template.Node):
    def __init__(self, nodelist, values, where):
        self.nodelist = nodelist
        self.values = values
        self.where = where

    def render(self, context):
        # By repr (fingerprint): a form's errors hold ErrorLists, whose str() renders a template.
        key = "once:" + fingerprint(self.where, *(value.resolve(context) for value in self.values))
        return mark_safe(cached_fragment(key, lambda: self.nodelist.render(context)))


# The characters that could end the script element or start markup, escaped
# inside JSON strings (as django.utils.html.json_script does).
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def ld_json(data) -> str:
    """schema.org data for search engines: a data block, which no CSP blocks (it never runs)."""
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
