"""One layout for both engines (templates/jinja2/layout.html, docs/decisions/0900).

Django pages extend templates/base.html, whose {% layout %} tag hands the
blocks a page overrides to the Jinja2 layout; the list page extends the
layout in Jinja2. Both must draw the same frame, each page's own blocks, the
layout's defaults where a page keeps them, and the messages.
"""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.template import Context, engines
from django.test import RequestFactory
from django.urls import reverse

DEFAULT_DESCRIPTION = "地域・業界・相談したい内容から探せる公開リストです。"


def django_page(source: str) -> str:
    return engines["django"].from_string(source).render({})


def between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def test_a_django_page_keeps_the_layouts_defaults_for_the_blocks_it_does_not_override():
    html = django_page('{% extends "base.html" %}{% block title %}ページ{% endblock %}')
    assert html.startswith('<!DOCTYPE html>\n<html lang="ja">')
    assert "<title>ページ | セキュリティ対策支援者リスト</title>" in html
    assert DEFAULT_DESCRIPTION in html
    assert '<meta property="og:type" content="website">' in html
    assert '<a class="skip-link" href="#main">本文へスキップ</a>' in html


def test_a_block_a_page_overrides_with_nothing_stays_empty():
    html = django_page('{% extends "base.html" %}{% block og %}{% endblock %}{% block description %}{% endblock %}')
    assert "og:type" not in html and "og:url" not in html
    assert '<meta name="description" content="">' in html


def test_a_page_two_levels_below_the_layout_shows_the_deepest_override():
    engine = engines["django"].engine
    middle = engine.from_string('{% extends "base.html" %}{% block content %}中間{% endblock %}')
    page = engine.from_string(
        "{% extends middle %}{% block content %}{{ block.super }}と最下層{% endblock %}"
        "{% block main_class %} wide{% endblock %}"
    )
    html = page.render(Context({"middle": middle}))
    assert '<main id="main" class="container wide" tabindex="-1">' in html
    assert "中間と最下層" in html


@pytest.mark.django_db
def test_the_jinja2_list_page_and_a_django_page_share_the_frame(client):
    listed = client.get(reverse("supporters:list")).content.decode()
    helped = client.get(reverse("supporters:help")).content.decode()
    assert between(listed, "</main>", "</html>") == between(helped, "</main>", "</html>")
    # The header differs only in the menu's current page.
    assert re.sub(r' aria-current="page"', "", between(listed, "<body>", "<main")) == re.sub(
        r' aria-current="page"', "", between(helped, "<body>", "<main")
    )
    assert between(listed, "<head>", "<title>") == between(helped, "<head>", "<title>")
    assert '<main id="main" class="container wide" tabindex="-1">' in listed
    assert " - 専門家を探す | セキュリティ対策支援者リスト</title>" in listed


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["supporters:list", "supporters:help"])
def test_messages_show_on_jinja2_and_django_pages(client, url_name):
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "登録を受け付けました。")])
    html = client.get(reverse(url_name)).content.decode()
    assert '<li class="message message-success">登録を受け付けました。</li>' in html


@pytest.mark.django_db
def test_the_list_pages_breadcrumbs_are_drawn_once_per_process(client, settings):
    from config import jinja2

    jinja2._breadcrumb_nav.cache_clear()
    trail = "_breadcrumbs.html"
    first, again = (client.get(reverse("supporters:list"), {"sort": sort}) for sort in ("cases", "updated"))
    assert [t.name for t in first.templates].count(trail) == 1 and trail not in [t.name for t in again.templates]
    crumbs = '<nav class="breadcrumbs" aria-label="現在位置">'
    assert between(first.content.decode(), crumbs, "</nav>") == between(again.content.decode(), crumbs, "</nav>")
    settings.DEBUG = True  # template edits show at once
    assert trail in [t.name for t in client.get(reverse("supporters:list"), {"sort": "-cases"}).templates]
