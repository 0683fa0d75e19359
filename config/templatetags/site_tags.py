"""Template helpers shared by every app's templates."""

from django import forms, template
from django.template.loader import get_template
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockNode
from django.utils.safestring import mark_safe

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


@register.tag
def layout(parser, token):
    """The site's layout for a Django page (templates/base.html only):

        {% layout %}{% block title %}{% endblock %}…{% endlayout %}

    The layout itself is a Jinja2 template (templates/jinja2/layout.html), so
    that pages in either engine share one: the list page, drawn for every
    distinct search, is Jinja2 throughout (docs/decisions/0900). The blocks
    inside the tag are those a page may override, each empty here: the
    layout holds every default.
    """
    nodelist = parser.parse(("endlayout",))
    parser.delete_first_token()
    return LayoutNode(nodelist)


class LayoutNode(template.Node):
    # Django finds the blocks a page overrides through this attribute (Node.get_nodes_by_type).
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.slots = [node for node in nodelist if isinstance(node, BlockNode)]

    def render(self, context):
        overrides = context.render_context.get(BLOCK_CONTEXT_KEY)
        # Only the blocks a page overrides, even to nothing; the layout draws its default for the rest.
        blocks = {
            node.name: mark_safe(node.render(context))
            for node in self.slots
            if overrides is not None and overrides.get_block(node.name) not in (None, node)
        }
        values = {"blocks": blocks, "request": context.get("request"), "messages": context.get("messages")}
        return get_template("layout.html", using="jinja2").render(values)
