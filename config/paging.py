"""Page links of a long list, for every app: one markup (templates/jinja2/_pagination.html).

Django templates draw it with ``{% pagination page %}`` (site_tags), Jinja2
templates with ``{{ pagination(page, query) }}``. A link is the current query
with ``page`` set, where it was or at the end: what Django's
``{% querystring page=n %}`` gives, with the rest of the query encoded once
per page rather than once per link (1.2 ms of a list page's ten links, with
Japanese keywords).
"""

from collections.abc import Callable

from django.core.paginator import Page
from django.http import QueryDict
from django.template.loader import get_template
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe


def page_url_maker(query: QueryDict) -> Callable[[int], str]:
    """A function giving the link to page ``n`` of the list ``query`` asks for."""
    before, after, seen = [], [], False
    for name, values in query.lists():
        if name == "page":
            seen = True
        else:
            (after if seen else before).extend((name, value) for value in values)
    before, after = urlencode(before), urlencode(after)

    def page_url(number: int) -> str:
        return "?" + "&".join(part for part in (before, f"page={number:d}", after) if part)

    return page_url


def pagination(page: Page, query: QueryDict) -> SafeString:
    """The page links of ``page``: previous, next, and the numbers around the current one."""
    if not page.has_other_pages():
        return mark_safe("")
    page_url = page_url_maker(query)
    # Every link's address is made here: a call from a Jinja2 template costs
    # more than the call itself, and a list page drew up to a dozen.
    context = {
        "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        # Around the current page: 1 2 … 6 7 8 [9] 10 11 12 … 49 50 (a gap has no link).
        "links": [
            (n, page_url(n), n == page.number) if isinstance(n, int) else (None, None, False)
            for n in page.paginator.get_elided_page_range(page.number)
        ],
    }
    return mark_safe(get_template("_pagination.html", using="jinja2").render(context))
