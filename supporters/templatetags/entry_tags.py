"""Template filters for a directory entry's published fields."""

import json

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from supporters.cache import cached_fragment, fingerprint

register = template.Library()


@register.filter
def is_public(supporter, field_name: str) -> bool:
    return supporter.is_public(field_name)


@register.filter
def public_value(supporter, field_name: str):
    return supporter.public(field_name)


@register.tag
def entry_fragment(parser, token):
    """Render the enclosed markup for an entry once per version of the entry.

        {% entry_fragment s querystring %}<tr>…</tr>{% endentry_fragment %}

    The first argument is the entry; its HTML is kept in the page cache's
    memory under its primary key, its version (``modified_at`` from the
    list's index, else a digest of its loaded field values), today's date (marks such as
    情報更新から1年以上) and where the tag stands in which template. Further
    arguments name context variables that differ from request to request: the
    markup is rendered with a placeholder for each and the value is put in
    on every use, escaped as ``{{ name }}`` would be. Works whatever the
    enclosed markup is, as long as it shows the entry's own fields (a related
    object's change does not change the entry's version); off with the page
    cache (DEBUG).
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("entry_fragment needs the entry as its first argument")
    nodelist = parser.parse(("endentry_fragment",))
    parser.delete_first_token()
    where = f"{parser.origin.name if parser.origin else ''}:{token.lineno}"
    return EntryFragmentNode(nodelist, parser.compile_filter(bits[1]), bits[2:], where)


class EntryFragmentNode(template.Node):
    def __init__(self, nodelist, entry, names, where):
        self.nodelist = nodelist
        self.entry = entry
        self.names = names
        self.where = where
        self.placeholders = {name: f"\ue000{name}\ue001" for name in names}

    def render(self, context):
        entry = self.entry.resolve(context)
        values = {name: context.get(name, "") for name in self.names}
        # A falsy value is rendered as itself ({% if querystring %} must see it).
        stand_ins = {name: self.placeholders[name] if value else value for name, value in values.items()}
        version = getattr(entry, "fragment_version", None)  # index.EntryStub: no row needed
        if version is None:
            version = [entry.__dict__.get(field.attname) for field in entry._meta.concrete_fields]
        key = "entry:" + fingerprint(self.where, entry.pk, version, timezone.localdate(), stand_ins)

        def render():
            with context.push(**stand_ins):
                return self.nodelist.render(context)

        html = cached_fragment(key, render)
        for name, value in values.items():
            if value:
                html = html.replace(self.placeholders[name], conditional_escape(value))
        return mark_safe(html)


@register.tag
def rendered_once(parser, token):
    """Render the enclosed markup once per process for each set of values.

        {% rendered_once field.name field.value field.errors %}…{% endrendered_once %}

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
        # By repr (fingerprint): a field's errors are an ErrorList, whose str() renders a template.
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
