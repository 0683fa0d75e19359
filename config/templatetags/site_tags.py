"""Template helpers shared by every app's templates."""

from django import forms, template
from django.utils.http import urlencode

register = template.Library()


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag
def described_widget(field):
    """The widget with aria-describedby pointing at its help text and errors."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_errors")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """The current query with ``page`` set to ``number``, where it was or at the end.

    What ``{% querystring page=number %}`` gives, with the rest of the query
    encoded once per page rather than for every link (1.2 ms of a list
    page's ten links, with Japanese keywords).
    """
    before, after = context.render_context.get(_PAGE_URL_PARTS) or _query_around_page(context)
    return "?" + "&".join(part for part in (before, urlencode([("page", number)]), after) if part)


_PAGE_URL_PARTS = object()


def _query_around_page(context) -> tuple[str, str]:
    before, after, seen = [], [], False
    for name, values in context.request.GET.lists():
        if name == "page":
            seen = True
        else:
            (after if seen else before).extend((name, value) for value in values)
    parts = context.render_context[_PAGE_URL_PARTS] = (urlencode(before), urlencode(after))
    return parts
