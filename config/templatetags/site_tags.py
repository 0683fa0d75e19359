"""Template helpers shared by every app's templates."""

from django import forms, template

from config import navigation, paging

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
def pagination(context, page):
    """The page links of ``page`` (config/paging.py), keeping the rest of the request's query."""
    return paging.pagination(page, context.request.GET)


@register.simple_tag
def url_of(url_name: str) -> str:
    """``{% url url_name %}`` for a link without arguments, reversed once per
    process (config.navigation.url_of): for the links of the layout, drawn on
    every page."""
    return navigation.url_of(url_name)


@register.simple_tag(takes_context=True)
def site_nav(context) -> str:
    """The layout's menu (config.navigation.site_nav)."""
    return navigation.site_nav(context.request)
