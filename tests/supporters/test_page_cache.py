"""Cached public pages are never stale after a change."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from supporters.models import Supporter
from tests.factories import SupporterFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("supporters:list")


@pytest.fixture(autouse=True)
def _fresh_pages():
    caches["pages"].clear()


def test_second_anonymous_request_is_served_from_memory(client, django_assert_max_num_queries):
    SupporterFactory(name="最初の名前")
    assert "最初の名前" in client.get(LIST).content.decode()
    with django_assert_max_num_queries(1):  # the directory version only
        assert "最初の名前" in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    "change",
    [
        lambda s: (setattr(s, "name", "変更後の名前"), s.save()),
        lambda s: Supporter.objects.filter(pk=s.pk).update(name="変更後の名前"),
        lambda s: Supporter.objects.bulk_update([Supporter(pk=s.pk, name="変更後の名前")], ["name"]),
    ],
)
def test_any_write_invalidates_list_and_detail(client, change):
    s = SupporterFactory(name="最初の名前")
    client.get(LIST), client.get(s.get_absolute_url())
    change(s)
    assert "変更後の名前" in client.get(LIST).content.decode()
    assert "変更後の名前" in client.get(s.get_absolute_url()).content.decode()


def test_unpublishing_removes_the_entry_at_once(client):
    s = SupporterFactory()
    assert client.get(s.get_absolute_url()).status_code == 200
    s.status = "ended"
    s.save()
    assert client.get(s.get_absolute_url()).status_code == 404
    assert s.registration_no not in client.get(LIST).content.decode()


def test_logged_in_users_get_fresh_personal_pages(client):
    SupporterFactory()
    client.get(LIST)
    client.force_login(UserFactory(email="me@example.jp"))
    assert "ログアウト" in client.get(LIST).content.decode()


def test_the_key_includes_the_query_string(client):
    SupporterFactory(regions=("kanto",), name="関東の人")
    SupporterFactory(regions=("kinki",), name="近畿の人")
    assert "近畿の人" not in client.get(LIST, {"region": "kanto"}).content.decode()
    assert "関東の人" not in client.get(LIST, {"region": "kinki"}).content.decode()


def wsgi_get(app, path, query="", cookie=""):
    import io

    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_COOKIE": cookie,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    body = b"".join(app(environ, start_response))
    return captured, body


def test_wsgi_front_serves_hits_with_all_headers_and_passes_misses_on(client):
    from supporters.cache import CachedPagesApp

    s = SupporterFactory(name="前の名前")
    calls = []

    def django_app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"from django"]

    front = CachedPagesApp(django_app)
    assert wsgi_get(front, LIST)[1] == b"from django"  # nothing stored yet
    client.get(LIST)  # Django renders and stores the page
    captured, body = wsgi_get(front, LIST)
    assert "前の名前" in body.decode() and calls == [LIST]
    assert "Content-Security-Policy" in captured["headers"] and captured["status"] == "200 OK"
    # A session cookie makes the request personal: Django answers it.
    assert wsgi_get(front, LIST, cookie="sessionid=abc")[1] == b"from django"
    s.name = "後の名前"
    s.save()
    assert wsgi_get(front, LIST)[1] == b"from django"  # the old page is never served


def test_one_publication_after_commit_covers_a_whole_transaction(client, monkeypatch):
    from django.db import transaction

    from supporters import cache

    published = []
    monkeypatch.setattr(cache, "_publish_confirmed", lambda: published.append(cache.shared_version()))
    with transaction.atomic():
        for n in range(5):
            SupporterFactory(name=f"一括{n}")
        with transaction.atomic():
            SupporterFactory(name="入れ子")  # inside a savepoint: covered by the one already due
        assert published == []  # nothing before the commit
    assert len(published) == 1
    with transaction.atomic():
        try:
            with transaction.atomic():
                SupporterFactory(name="取り消される")
                raise RuntimeError("the savepoint rolls back, and its publication with it")
        except RuntimeError:
            pass
        SupporterFactory(name="残る")  # so this write registers its own
    assert len(published) == 2
