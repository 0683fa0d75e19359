"""Page links of a long list, for every app: one markup (templates/jinja2/_pagination.html).

Django templates draw it with ``{% pagination page %}`` (site_tags), Jinja2
templates with ``{{ pagination(page, query) }}``. A link is the current query
with ``page`` set, where it was or at the end: what Django's
``{% querystring page=n %}`` gives, with the rest of the query encoded once
per page rather than once per link (1.2 ms of a list page's ten links, with
Japanese keywords).

The markup depends on the query only through the two encoded parts around
``page``, each put into every link as it is. So it is drawn once per process
for each shape (the page's number, how many pages, which parts the query
has) with a stand-in for each part, and each list puts its parts in: a
list page's links cost 60 µs to draw, the same links with their parts put
in a tenth of that. Drawn every time under DEBUG (template edits show at once).
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

# Stand-ins for the query's parts (characters of the private use area: an
# encoded query holds none).
BEFORE, AFTER = "\ue000before\ue001", "\ue000after\ue001"


def _query_around_page(query: QueryDict) -> tuple[str, str]:
    # The encoded parameters before ``page`` and after it (all of them before it when it is missing).
    before, after, seen = [], [], False
    for name, values in query.lists():
        if name == "page":
            seen = True
        else:
            (after if seen else before).extend((name, value) for value in values)
    return urlencode(before), urlencode(after)


def _page_url(before: str, after: str) -> Callable[[int], str]:
    def page_url(number: int) -> str:
        return "?" + "&".join(part for part in (before, f"page={number:d}", after) if part)

    return page_url


def pagination(page: Page, query: QueryDict) -> SafeString:
    """The page links of ``page``: previous, next, and the numbers around the current one."""
    if not page.has_other_pages():
        return mark_safe("")
    before, after = _query_around_page(query)
    if settings.DEBUG:
        return _links(page.number, page.paginator.num_pages, before, after)
    html = _drawn_links(page.number, page.paginator.num_pages, bool(before), bool(after))
    # Escaped as the template escapes each link, which holds the part as it is.
    return mark_safe(html.replace(BEFORE, escape(before)).replace(AFTER, escape(after)))


@functools.lru_cache(maxsize=1024)
def _drawn_links(number: int, num_pages: int, before: bool, after: bool) -> str:
    return _links(number, num_pages, BEFORE if before else "", AFTER if after else "")


def _links(number: int, num_pages: int, before: str, after: str) -> SafeString:
    # The links depend on the list only through its number of pages.
    page = Paginator(range(num_pages), 1).page(number)
    page_url = _page_url(before, after)
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
