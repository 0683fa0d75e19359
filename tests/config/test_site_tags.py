"""Page links of every list (config/paging.py, ``{% pagination page %}``)."""

import re

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

DJANGOS = "{% querystring page=1 %}|{% querystring page=7 %}"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=3",
        "region=kanto&page=3&sort=-cases",
        "q=%E6%9D%B1%E4%BA%AC+%E7%9B%A3%E6%9F%BB&region=kanto&region=kinki",
        "page=2&page=5&fee=free",
        "q=a%26b%3Dc&empty=",
    ],
)
def test_page_links_are_what_djangos_querystring_gives(query, settings):
    # The same links, with the rest of the query encoded once per page instead
    # of per link (and, outside DEBUG, put into links drawn once per shape).
    request = RequestFactory().get("/supporters/?" + query)
    expected = engines["django"].from_string(DJANGOS).render({}, request)
    for debug in (True, False):
        settings.DEBUG = debug
        html = _links(4, 7, query)
        hrefs = {number: href for href, number in re.findall(r'<a href="([^"]+)"[^>]*>(\d+)<span', html)}
        assert f"{hrefs['1']}|{hrefs['7']}" == expected  # escaped in the markup, as Django's tag does


def _links(number: int, of: int, query: str = "") -> str:
    request = RequestFactory().get("/cases/?" + query)
    page = Paginator(range(of * 10), 10).get_page(number)
    return engines["django"].from_string("{% load site_tags %}{% pagination page %}").render({"page": page}, request)


def test_the_links_surround_the_current_page_deep_in_a_long_list():
    html = _links(9, 50, "region=kanto&page=9")
    current = re.findall(r'<a href="([^"]+)" aria-current="page">(\d+)', html)
    assert current == [("?region=kanto&amp;page=9", "9")]
    numbers = [int(n) for n in re.findall(r">(\d+)<span", html)]
    # Three on each side of the current page, two at each end, the gaps elided.
    assert numbers == [1, 2, 6, 7, 8, 9, 10, 11, 12, 49, 50]
    assert html.count("…") == 2
    assert 'href="?region=kanto&amp;page=8" rel="prev">前のページ' in html
    assert 'href="?region=kanto&amp;page=10" rel="next">次のページ' in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=4",
        "region=kanto&page=4&sort=-cases",
        "page=4&q=%3Cb%3E%22x%22+%26+%27y%27",
        "q=%E6%9D%B1%E4%BA%AC&fee=free",
        "q=%26amp%3B%3C%2Fa%3E",
    ],
)
@pytest.mark.parametrize(("number", "of"), [(1, 2), (4, 7), (9, 50), (50, 50)])
def test_links_drawn_once_per_shape_are_the_links_drawn_for_the_query(query, number, of, settings):
    # Outside DEBUG the markup is drawn once per shape with stand-ins for the
    # query's parts, which each list then puts in, escaped as the template escapes them.
    settings.DEBUG = True
    drawn_for_the_query = _links(number, of, query)
    settings.DEBUG = False
    assert _links(number, of, query) == drawn_for_the_query
    assert _links(number, of, query) == drawn_for_the_query  # the kept shape, used again
    assert "\ue000" not in drawn_for_the_query


def test_a_shape_is_drawn_once(settings, monkeypatch):
    from config import paging

    settings.DEBUG = False
    paging._drawn_links.cache_clear()
    drawn = []
    monkeypatch.setattr(paging, "_links", lambda *args: drawn.append(args) or "")
    for query in ("region=kanto&page=2", "region=kinki&fee=free&page=2", "q=%E6%9D%B1&page=2"):
        _links(2, 5, query)  # one shape: page 2 of 5, parameters before "page" only
    _links(2, 5, "region=kanto&page=2&sort=cases")  # and after it
    _links(3, 5, "region=kanto&page=3")
    assert len(drawn) == 3


def test_a_single_page_has_no_links():
    assert _links(1, 1).strip() == ""


def test_url_of_gives_what_url_gives():
    # The layout's links, reversed once per process.
    template = "{% load site_tags %}{% url_of 'supporters:help' %}|{% url_of 'login' %}"
    assert engines["django"].from_string(template).render({}) == f"{reverse('supporters:help')}|{reverse('login')}"
