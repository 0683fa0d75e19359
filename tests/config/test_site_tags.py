"""Template helpers of the kernel (config/templatetags/site_tags.py)."""

import pytest
from django.template import engines
from django.test import RequestFactory

PAGE_LINKS = "{% load site_tags %}{% page_url 1 %}|{% page_url 7 %}"
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
def test_page_links_are_what_djangos_querystring_gives(query):
    # The same links, with the rest of the query encoded once per page instead of per link.
    request = RequestFactory().get("/supporters/?" + query)
    django = engines["django"]
    ours = django.from_string(PAGE_LINKS).render({}, request)
    assert ours == django.from_string(DJANGOS).render({}, request)
