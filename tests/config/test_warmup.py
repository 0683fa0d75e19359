"""Each gunicorn worker serves its first pages itself before it takes visitors (config/warmup.py)."""

import gc
import logging
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import get_script_prefix, set_script_prefix

from config import gunicorn, warmup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _unfrozen():
    # post_worker_init freezes what the process holds; the rest of the run is not a worker.
    yield
    gc.unfreeze()


def test_a_worker_serves_the_warm_up_pages_to_itself_as_an_anonymous_https_visitor(settings, monkeypatch):
    monkeypatch.setenv("SCRIPT_NAME", "/shien")  # gunicorn's: the site's path behind a proxy
    settings.ALLOWED_HOSTS = [".example.jp", "www.example.jp"]
    settings.WARM_UP_PATHS = ["/", "/supporters/"]
    asked = []

    def application(environ, start_response):
        asked.append((environ["SCRIPT_NAME"], environ["PATH_INFO"], environ["HTTP_HOST"], environ["wsgi.url_scheme"]))
        start_response("200 OK", [])
        return [b"page"]

    gunicorn.post_worker_init(SimpleNamespace(wsgi=application))
    assert asked == [("/shien", "/", "example.jp", "https"), ("/shien", "/supporters/", "example.jp", "https")]


def test_a_worker_leaves_what_it_holds_after_the_warm_up_out_of_full_collections(settings):
    settings.WARM_UP_PATHS = ["/"]
    collected_before_freezing = []

    def application(environ, start_response):
        start_response("200 OK", [])
        return [b"page"]

    gc.callbacks.append(lambda phase, info: collected_before_freezing.append(gc.get_freeze_count()))
    try:
        gunicorn.post_worker_init(SimpleNamespace(wsgi=application))
        assert gc.get_freeze_count() > 10_000  # Django, the apps and the test run's own objects
        assert 0 in collected_before_freezing  # garbage collected first, not kept for good
    finally:
        gc.callbacks.pop()


TASKS_RUN = []


def remember_the_sites_path():
    TASKS_RUN.append(get_script_prefix())
    return "done"


def fail():
    raise RuntimeError("no markup table yet")


def test_after_its_pages_a_worker_runs_the_warm_up_tasks_at_the_sites_path(settings, monkeypatch, caplog):
    monkeypatch.setenv("SCRIPT_NAME", "/shien")
    settings.WARM_UP_PATHS = ["/"]
    settings.WARM_UP_TASKS = [f"{__name__}.fail", f"{__name__}.remember_the_sites_path"]
    TASKS_RUN.clear()

    def application(environ, start_response):
        TASKS_RUN.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"page"]

    try:
        with caplog.at_level(logging.INFO, logger="config.warmup"):
            warmup.warm(application)
    finally:
        set_script_prefix("/")
    assert TASKS_RUN == ["/", "/shien/"]  # the pages first; a failed task stops nothing
    assert f"warm-up of {__name__}.fail failed" in caplog.text
    assert f"warm-up of {__name__}.remember_the_sites_path: done" in caplog.text


def test_the_list_is_drawn_and_kept_before_the_first_visitor(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = True  # as in production: the warm-up asks over HTTPS
    caches["pages"].clear()
    # As Django's test client does: the test's transaction keeps its connection open.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        warmup.warm(get_wsgi_application())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    response = client.get("/supporters/", secure=True)
    assert response.status_code == 200
    assert "supporters/list.html" not in [t.name for t in response.templates]  # served from memory


def test_a_page_that_fails_does_not_stop_the_worker(settings, caplog):
    settings.WARM_UP_PATHS = ["/broken/", "/fine/"]
    asked = []

    def application(environ, start_response):
        asked.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/broken/":
            raise RuntimeError("no database yet")
        start_response("200 OK", [])
        return [b"page"]

    with caplog.at_level(logging.INFO, logger="config.warmup"):
        warmup.warm(application)
    assert asked == ["/broken/", "/fine/"]
    assert "warm-up of /broken/ failed" in caplog.text and "warm-up of /fine/: 200 OK" in caplog.text
