"""Template filters for a directory entry's published fields."""

from django import template

register = template.Library()


@register.filter
def is_public(supporter, field_name: str) -> bool:
    return supporter.is_public(field_name)


@register.filter
def public_value(supporter, field_name: str):
    return supporter.public(field_name)
