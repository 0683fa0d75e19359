"""Page-cache hits answered before Django (supporters/front.py): a copy of
Django's own answer, replayed only to the same request, never stale.

These tests speak WSGI to the layer around Django's real handler, as gunicorn
does; Django's test client would skip the layer.
"""

import datetime
import io
import sys
from typing import NamedTuple

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections, connection
from django.urls import reverse

from config import dates
from supporters import cache, front
from tests.factories import SupporterFactory
from tests.supporters.test_page_cache import SECURITY_HEADERS

pytestmark = pytest.mark.django_db

LIST = reverse("supporters:list")


class Answer(NamedTuple):
    status: str
    headers: dict
    body: bytes


class CountingDjango:
    """Django's WSGI handler, counting the requests it answers itself. Built
    at the first request, after the test's settings (middleware reads some of
    them once, as in a process that starts)."""

    def __init__(self):
        self.handler = None
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        self.handler = self.handler or WSGIHandler()
        return self.handler(environ, start_response)


@pytest.fixture
def django_app():
    # As Django's test client does: the test's transaction keeps the
    # connection, which the end of each request would otherwise close.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    caches["pages"].clear()
    yield CountingDjango()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def app(django_app):
    return front.PageCacheFront(django_app)


def get(app, path=LIST, query="", *, method="GET", scheme="http", host="testserver", **extra) -> Answer:
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443" if scheme == "https" else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        **extra,
    }
    started = []
    body = app(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
    try:
        content = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    status, headers = started[0]
    return Answer(status, dict(headers), content)


def copies() -> int:
    return sum(key.startswith(":1:front:") for key in caches["pages"]._cache)


def test_the_same_request_again_is_answered_with_djangos_own_answer(app, django_app, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    SupporterFactory.create_batch(25, regions=("kanto",), name="関東の専門家")
    first = get(app, query="region=kanto&page=2", scheme="https")
    second = get(app, query="region=kanto&page=2", scheme="https")
    assert django_app.calls == 1
    assert first.status == second.status == "200 OK"
    assert second == first and "関東の専門家" in second.body.decode()
    for header in (*SECURITY_HEADERS, "ETag", "Cache-Control"):
        assert header in second.headers, header


def test_a_page_the_middleware_served_from_memory_is_copied_too(app, django_app):
    SupporterFactory()
    get(django_app)  # stored by the middleware, not through this layer
    get(app)  # a hit in the middleware, copied on its way out
    get(app)
    assert django_app.calls == 2


@pytest.mark.parametrize("name", ["home", "help"])
def test_the_other_directory_pages_are_answered_here(app, django_app, name):
    SupporterFactory()
    get(app, reverse(f"supporters:{name}"))
    assert get(app, reverse(f"supporters:{name}")).status == "200 OK"
    assert django_app.calls == 1


def test_a_change_is_seen_at_once(app, django_app):
    supporter = SupporterFactory(name="最初の名前")
    get(app), get(app, supporter.get_absolute_url())
    supporter.name = "変更後の名前"
    supporter.save()
    assert "変更後の名前" in get(app).body.decode()
    assert "変更後の名前" in get(app, supporter.get_absolute_url()).body.decode()
    assert django_app.calls == 4


def test_a_new_day_draws_the_page_again(app, django_app, monkeypatch):
    SupporterFactory()
    get(app)
    monkeypatch.setattr(dates, "today", lambda: datetime.date.today() + datetime.timedelta(days=1))
    get(app)
    assert django_app.calls == 2


def test_plain_http_is_redirected_every_time(app, django_app, settings):
    settings.SECURE_SSL_REDIRECT = True
    SupporterFactory()
    assert get(app, scheme="https").status == "200 OK"
    for _ in range(2):
        answer = get(app)
        assert answer.status.startswith("301") and answer.headers["Location"].startswith("https://")
    assert django_app.calls == 3


def test_behind_a_proxy_the_forwarded_scheme_is_part_of_the_request(django_app, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    app = front.PageCacheFront(django_app)
    SupporterFactory()
    assert get(app, HTTP_X_FORWARDED_PROTO="https").status == "200 OK"
    assert get(app, HTTP_X_FORWARDED_PROTO="http").status.startswith("301")
    assert get(app).status.startswith("301")


def test_an_unknown_host_is_refused_every_time(app, django_app, settings):
    settings.ALLOWED_HOSTS = ["shien.example.jp"]
    settings.USE_X_FORWARDED_HOST = True
    SupporterFactory()
    assert get(app, host="shien.example.jp").status == "200 OK"
    assert get(app, host="evil.example").status.startswith("400")
    assert get(app, host="shien.example.jp", HTTP_X_FORWARDED_HOST="evil.example").status.startswith("400")
    assert django_app.calls == 3


def test_another_path_prefix_is_another_request(app, django_app):
    SupporterFactory()
    get(app)
    under_a_path = get(app, SCRIPT_NAME="/shien")
    assert 'href="/shien/supporters/' in under_a_path.body.decode()
    assert django_app.calls == 2


def test_unknown_parameters_neither_bypass_nor_fill_the_copies(app, django_app):
    SupporterFactory.create_batch(3, regions=("kanto",))
    page = get(app, query="region=kanto").body
    tagged = get(app, query="utm_source=mail&region=kanto&fbclid=x&q=")
    assert tagged.body == page
    assert django_app.calls == 1 and copies() == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"method": "HEAD"},
        {"method": "POST"},
    ],
    ids=["a session", "HEAD", "POST"],
)
def test_personal_and_other_requests_go_to_django(app, django_app, extra):
    SupporterFactory()
    get(app)
    get(app, **extra)
    assert django_app.calls == 2


def test_a_form_token_alone_does_not_make_the_page_personal(app, django_app):
    SupporterFactory()
    get(app)
    assert get(app, HTTP_COOKIE="csrftoken=abc").status == "200 OK"
    assert django_app.calls == 1


def test_conditional_requests_are_answered_by_django(app, django_app):
    SupporterFactory()
    etag = get(app).headers["ETag"]
    assert get(app, HTTP_IF_NONE_MATCH=etag).status.startswith("304")
    assert get(app, HTTP_IF_MATCH='"other"').status.startswith("412")
    assert django_app.calls == 3


@pytest.mark.parametrize("name", ["export-json", "export-csv"])
def test_exports_are_never_copied(app, django_app, name):
    SupporterFactory()
    for _ in range(2):
        assert get(app, reverse(f"supporters:{name}")).status == "200 OK"
    assert django_app.calls == 2 and copies() == 0


def test_errors_are_never_copied(app, django_app):
    for _ in range(2):
        assert get(app, query="region=nowhere").status.startswith("400")
    assert django_app.calls == 2 and copies() == 0


def test_too_many_parameters_are_refused_by_django_with_its_reason(app, django_app):
    # Reducing the query raises as WSGIRequest.GET does (DATA_UPLOAD_MAX_NUMBER_FIELDS):
    # the layer leaves the request to Django, which says why (config/views.py).
    answer = get(app, query="&".join(f"x{i}=1" for i in range(1_001)))
    assert answer.status.startswith("400") and django_app.calls == 1 and copies() == 0
    assert "項目が多すぎます(上限は1,000個です)" in answer.body.decode()


def test_a_failed_version_read_leaves_the_answer_to_django(app, django_app, monkeypatch):
    SupporterFactory(name="読み直し")
    get(app)
    real = cache.directory_version
    failures = []

    def fails_once():
        if not failures:
            failures.append(1)
            raise DatabaseError("server closed the connection unexpectedly")
        return real()

    monkeypatch.setattr(cache, "directory_version", fails_once)
    answer = get(app)
    assert answer.status == "200 OK" and "読み直し" in answer.body.decode()
    assert failures and django_app.calls == 2


def test_a_copy_counts_against_the_memory_bound(app):
    SupporterFactory()
    body = get(app).body
    copy = next(value for key, value in caches["pages"]._cache.items() if key.startswith(":1:front:"))
    assert copy.body is not None and caches["pages"].bytes_used >= 2 * len(body)  # the page and its copy


def test_the_site_runs_behind_the_layer_only_with_the_page_cache(settings):
    from config.wsgi import application

    assert isinstance(application, front.PageCacheFront)
    settings.PAGE_CACHE = False
    assert front.wrap(application.application) is application.application


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_died_between_requests_is_replaced(django_app):
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database cannot be reconnected to; PostgreSQL runs this in CI")
    # As in production: Django's handler checks its kept connection at each request.
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    app = front.PageCacheFront(django_app)
    SupporterFactory(name="再接続")
    get(app)  # copied
    get(app)  # replayed: its version read counted as the connection's check
    connection.connection.close()  # as when the database server restarts
    answer = get(app)
    assert answer.status == "200 OK" and "再接続" in answer.body.decode()
    assert connection.is_usable()
