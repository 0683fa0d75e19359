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
