"""The Jinja2 environment's helpers write what their Django namesakes write (config/jinja2.py)."""

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma as django_intcomma
from django.template import engines


@pytest.mark.parametrize("value", [0, 7, 999, 1000, 25000, 1234567, -4500, "12345", 1234.5])
def test_intcomma_writes_numbers_as_django_does(value):
    template = engines["jinja2"].from_string("{{ value|intcomma }}件")
    assert template.render({"value": value}) == f"{django_intcomma(value)}件"


def test_a_templates_globals_are_one_dict_with_the_environments_helpers():
    # Every render copies a template's globals into its context; a ChainMap cost 28 µs to copy.
    env = engines["jinja2"].env
    template = env.get_template("_pagination.html")
    assert type(template.globals) is dict
    assert {name: template.globals[name] for name in env.globals} == dict(env.globals)


def test_static_urls_are_djangos_looked_up_once_per_process(settings, monkeypatch):
    from django.templatetags.static import static

    from config import jinja2

    settings.DEBUG = False  # also forgets the URLs kept so far (a setting changed)
    looked_up = []
    monkeypatch.setattr(jinja2, "static", lambda path: looked_up.append(path) or static(path))
    template = engines["jinja2"].from_string("{{ static('css/site.css') }}|{{ static('favicon.svg') }}")
    first, again = template.render({}), template.render({})
    assert first == again == f"{static('css/site.css')}|{static('favicon.svg')}"
    assert looked_up == ["css/site.css", "favicon.svg"]


def test_static_urls_follow_the_settings(settings):
    template = engines["jinja2"].from_string("{{ static('css/site.css') }}")
    settings.DEBUG = False
    before = template.render({})
    settings.STATIC_URL = "/assets/"
    assert template.render({}) != before and template.render({}).startswith("/assets/css/site.")


def test_encoded_parts_go_where_the_template_marks_them_and_the_rest_is_encoded():
    from config.jinja2 import EncodedParts

    parts = EncodedParts()
    template = engines["jinja2"].from_string(
        "<p>{{ a }}</p>{{ part(one) }}<p>{{ b }}</p>{{ part(two) }}{{ part(one) }}"
    )
    typed = "\ue0020\ue003 \ue002 \ue003 東京"  # what a visitor may type, mark characters included
    context = {"a": typed, "b": "<b>", "part": parts.put, "one": "①<li>".encode(), "two": b""}
    text = template.render(context)
    assert parts.join(text) == f"<p>{typed}</p>①<li><p>&lt;b&gt;</p>①<li>".encode()


def test_no_text_forges_another_pages_mark():
    from config.jinja2 import EncodedParts

    first, second = EncodedParts(), EncodedParts()
    mark = str(first.put(b"secret"))
    second.put(b"mine")
    assert second.join(f"<p>{mark}</p>") == f"<p>{mark}</p>".encode()


def test_a_pages_links_read_the_sites_path_once_and_start_with_it(rf, settings, monkeypatch):
    from django.templatetags.static import static
    from django.urls import clear_script_prefix, get_script_prefix, reverse, set_script_prefix

    from config import jinja2, navigation

    settings.DEBUG = False
    reads = []
    for module in (jinja2, navigation):
        monkeypatch.setattr(module, "get_script_prefix", lambda: reads.append(1) or get_script_prefix())
    template = engines["jinja2"].from_string(
        "{{ url('supporters:help') }}|{{ url('supporters:detail', '000001') }}|{{ static('css/site.css') }}"
    )
    try:
        for prefix in ("/", "/shienlist/"):
            set_script_prefix(prefix)
            reads.clear()
            expected = f"{reverse('supporters:help')}|{reverse('supporters:detail', args=['000001'])}"
            assert template.render({}, rf.get("/")) == f"{expected}|{static('css/site.css')}"
            assert f"|{prefix}supporters/000001/" in expected and reads == [1]
    finally:
        clear_script_prefix()
