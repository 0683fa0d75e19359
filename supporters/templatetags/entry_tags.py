"""Template filters for a directory entry's published fields."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def is_public(supporter, field_name: str) -> bool:
    return supporter.is_public(field_name)


@register.filter
def public_value(supporter, field_name: str):
    return supporter.public(field_name)


# The characters that could end the script element or start markup, escaped
# inside JSON strings (as django.utils.html.json_script does).
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def ld_json(data) -> str:
    """schema.org data for search engines: a data block, which no CSP blocks (it never runs)."""
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
