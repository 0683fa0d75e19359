"""No dead ends: every same-site link a page shows to a role works for that role.

For each of the nine roles of the access matrix, on the demo data: start
where that person starts (the home page), follow every same-site link on
every page reached, and open each link as that role. A link that answers
an error (403, 404, 405, 500 …) to the role it was shown to fails the test,
named with the page that showed it. Being sent to log in (anonymous) or to
the second-factor step (staff without it) is not a dead end: the page says
what to do and leads on.

Bounded: at most ``PER_ROUTE`` distinct URLs of one URL pattern (the 340
個票 are one pattern) and ``PER_ROLE`` pages in all; the admin's own pages
are opened when a page links to them, not crawled further.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.security.test_access_matrix import ROLES, log_in, world  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.django_db

PER_ROUTE = 3
PER_ROLE = 300
NOT_CRAWLED = ("/admin/",)  # opened when linked, not explored: Django's own pages


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def same_site_links(page_url: str, html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urljoin("http://testserver" + page_url, href)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue  # mailto:, tel:, other sites
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.startswith("/static/"):
            continue
        found.append(path)
    return found


def route_of(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return url  # an unknown path is its own route (and will answer 404)


def crawl(client, role: str) -> tuple[list[str], int]:
    """(problems, pages opened) for one role."""
    shown_on: dict[str, str] = {}
    queue = deque(["/"])
    shown_on["/"] = "(start)"
    per_route: dict[str, int] = {}
    problems, opened = [], 0
    while queue and opened < PER_ROLE:
        url = queue.popleft()
        opened += 1
        try:
            response = client.get(url, follow=True)
        except Exception as error:  # a server error, raised by the test client
            problems.append(f"{role}: {shown_on[url]} → {url}: {type(error).__name__}: {error}")
            continue
        if response.status_code >= 400:
            problems.append(f"{role}: {shown_on[url]} → {url}: {response.status_code}")
            continue
        final = response.request["PATH_INFO"]
        if url.startswith(NOT_CRAWLED) or final.startswith(NOT_CRAWLED):
            continue
        if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
            continue
        for link in same_site_links(final, response.content.decode("utf-8", errors="replace")):
            if link in shown_on:
                continue
            route = route_of(link)
            if per_route.get(route, 0) >= PER_ROUTE:
                continue
            per_route[route] = per_route.get(route, 0) + 1
            shown_on[link] = url
            queue.append(link)
    return problems, opened


@pytest.mark.parametrize("role", ROLES)
def test_every_link_a_role_is_shown_works_for_that_role(client, world, role):  # noqa: F811
    _, users = world
    log_in(client, role, users)
    problems, opened = crawl(client, role)
    assert opened > 20, f"{role}: only {opened} pages reached"
    assert problems == [], "links that do not work for the role they are shown to:\n" + "\n".join(problems)
