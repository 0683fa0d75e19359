"""The directory's page cache: never stale, and a hit is the same answer as a miss."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xxhash
from django.core.cache import caches
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils.safestring import mark_safe

from supporters import cache
from supporters.models import Supporter
from tests.factories import SupporterFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("supporters:list")
ROOT = Path(__file__).resolve().parents[2]
# What the middleware inside the page cache (CSP, X-Frame-Options) and
# SecurityMiddleware around it add: a hit must carry them all.
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Strict-Transport-Security",
)


@pytest.fixture(autouse=True)
def _fresh_pages():
    caches["pages"].clear()


def entries():
    """Whole pages kept (the store also holds rendered rows and widgets)."""
    return sum(key.startswith(":1:page:") for key in caches["pages"]._cache)


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


def test_signed_in_users_get_their_own_pages_marked_private(client):
    SupporterFactory()
    client.get(LIST)
    client.force_login(UserFactory(email="me@example.jp"))
    response = client.get(LIST)
    assert "ログアウト" in response.content.decode()
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_the_key_includes_the_filters(client):
    SupporterFactory(regions=("kanto",), name="関東の人")
    SupporterFactory(regions=("kinki",), name="近畿の人")
    assert "近畿の人" not in client.get(LIST, {"region": "kanto"}).content.decode()
    assert "関東の人" not in client.get(LIST, {"region": "kinki"}).content.decode()


# A hit is the same answer as a miss ------------------------------------------


def test_a_hit_carries_the_same_headers_and_body_as_the_miss(client, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    SupporterFactory.create_batch(25, regions=("kanto",))
    miss = client.get(LIST, {"region": "kanto", "page": "2"}, secure=True)
    hit = client.get(LIST, {"region": "kanto", "page": "2"}, secure=True)
    assert hit.content == miss.content
    assert dict(hit.headers) == dict(miss.headers)
    for header in SECURITY_HEADERS:
        assert hit.has_header(header), header


def test_a_hit_still_redirects_to_https(client, settings):
    SupporterFactory()
    assert client.get(LIST, secure=True).status_code == 200  # stored
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get(LIST)
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_a_hit_still_checks_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["shien.example.jp"]
    SupporterFactory()
    assert client.get(LIST, HTTP_HOST="shien.example.jp").status_code == 200  # stored
    assert client.get(LIST, HTTP_HOST="evil.example").status_code == 400


# What a hit costs -----------------------------------------------------------------


def _kept_connection_due_for_a_check():
    """The state of a connection kept from an earlier request (CONN_HEALTH_CHECKS)."""
    connection.ensure_connection()
    assert connection.health_check_enabled
    connection.health_check_done = False
    return connection


@pytest.mark.django_db(transaction=True)
def test_a_hit_asks_the_database_once(client, monkeypatch):
    """The version read tells whether a kept connection works: no "SELECT 1"
    before it, a round trip of each hit on PostgreSQL."""
    SupporterFactory(name="一度だけ")
    client.get(LIST)  # stored
    checks = []
    monkeypatch.setattr(_kept_connection_due_for_a_check(), "is_usable", lambda: checks.append(1) or True)
    response = client.get(LIST)
    assert "一度だけ" in response.content.decode()
    assert checks == []


@pytest.mark.django_db(transaction=True)
def test_a_hit_on_a_connection_that_died_reads_again_on_a_new_one(client):
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database cannot be reconnected to; PostgreSQL runs this in CI")
    SupporterFactory(name="再接続")
    client.get(LIST)  # stored
    _kept_connection_due_for_a_check().connection.close()  # as when the database server restarts
    response = client.get(LIST)
    assert response.status_code == 200 and "再接続" in response.content.decode()
    assert connection.is_usable()


# What is cached -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "help", "list"])
def test_the_directory_pages_are_cached(client, name):
    SupporterFactory()
    client.get(reverse(f"supporters:{name}"))
    assert entries() == 1


def test_a_detail_page_is_cached(client):
    s = SupporterFactory(email="public@example.jp")  # a published address: no contact form
    client.get(s.get_absolute_url())
    assert entries() == 1


@pytest.mark.parametrize("name", ["export-json", "export-csv"])
def test_exports_are_never_cached(client, name):
    SupporterFactory()
    assert client.get(reverse(f"supporters:{name}")).status_code == 200
    assert entries() == 0


def test_an_answer_with_a_form_token_or_an_error_is_not_cached(client):
    s = SupporterFactory(email="", user=UserFactory())  # the contact form, with its CSRF cookie
    client.get(s.get_absolute_url())
    client.get(LIST, {"region": "nowhere"})  # 400
    assert entries() == 0


def test_unknown_parameters_neither_bypass_nor_fill_the_cache(client, django_assert_max_num_queries):
    SupporterFactory.create_batch(25, regions=("kanto",))
    page = client.get(LIST, {"region": "kanto"}).content
    assert entries() == 1
    with django_assert_max_num_queries(1):  # a hit: the version only
        tagged = client.get(LIST, {"utm_source": "mail", "region": "kanto", "fbclid": "x", "q": ""})
    assert tagged.content == page and entries() == 1
    assert b"utm_source" not in tagged.content  # the page's own links never carry them


def test_the_order_of_parameters_does_not_matter(client):
    SupporterFactory(regions=("kanto",), industries=("finance",))
    first = client.get(f"{LIST}?region=kanto&industry=finance").content
    assert client.get(f"{LIST}?industry=finance&region=kanto").content == first
    assert entries() == 1


def test_a_long_query_is_reduced_as_a_short_one(client):
    # Queries over 2 KB are not memoised (any can be sent), but reduced all the same.
    SupporterFactory(name="関東の人", regions=("kanto",))
    SupporterFactory(name="近畿の人", regions=("kinki",))
    padding = "x" * 3000
    page = client.get(LIST, {"utm_content": padding, "region": "kanto", "q": "関東"}).content.decode()
    assert "関東の人" in page and "近畿の人" not in page and padding not in page
    assert client.get(LIST, {"region": "kanto", "q": "関東"}).content.decode() == page
    assert entries() == 1


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "region=kanto&industry=finance",
        "page=2&utm_source=x&region=kinki&region=kanto&q=&sort=-cases",
        "q=%E4%BA%AC%E9%83%BD+%E7%9B%A3%E6%9F%BB&q=a%2Bb%26c%3Dd&theme=policy",
        "q=\xe4\xba\xac&region",  # UTF-8 as WSGI gives it (Latin-1), and a name without "="
        "q=%FF%FE%zz&&=&region=%00&first_free=1&fresh=1&fresh=",
        "a=1;b=2&q=x y&q=%20",
    ],
)
def test_a_query_is_reduced_as_a_querydict_of_it_would_give_it(raw):
    # The reduced query is read as WSGIRequest.GET reads it, then only the page's
    # parameters with a value, grouped in the page's order.
    given = QueryDict(raw.encode("iso-8859-1").decode(errors="replace"))
    order = cache._param_order()
    expected = QueryDict(mutable=True)
    for name in sorted((name for name in given if name in order), key=order.get):
        if values := [value for value in given.getlist(name) if value]:
            expected.setlist(name, values)
    assert cache.reduced_query("supporters:list", raw) == expected.urlencode()


def test_too_many_parameters_are_refused_in_japanese(client):
    response = client.get(LIST + "?" + "&".join(f"x{i}=1" for i in range(1_001)))
    body = response.content.decode()
    assert response.status_code == 400 and "項目が多すぎます(上限は1,000個です)" in body
    assert "Bad Request" not in body


def test_a_text_is_kept_as_it_is_and_counted_by_its_memory():
    # Parts of pages are texts: shared by every reader rather than unpickled per use.
    store = cache.BoundedMemoryCache("text-test", {"OPTIONS": {"MAX_BYTES": 50_000}})
    store.clear()
    text = mark_safe("<li>専門家</li>" * 100)
    store.set("part", text)
    assert store.get("part") is text and store.get_many(["part"]) == {"part": text}
    assert store.bytes_used == sys.getsizeof(text)
    store.set("list", ["a"])
    assert store.get("list") == ["a"] and store.get("list") is not store.get("list")  # others are still pickled
    store.clear()


def test_a_page_is_kept_as_it_is_and_counted_by_its_memory(client):
    # A hit shares the kept page rather than unpickling 76 KB.
    SupporterFactory()
    client.get(LIST)
    (kept,) = [value for key, value in caches["pages"]._cache.items() if key.startswith(":1:page:")]
    assert isinstance(kept, cache.FrozenPage) and kept.body == client.get(LIST).content
    assert caches["pages"].bytes_used >= len(kept.body)


def test_parts_of_pages_are_kept_until_the_bound_pushes_them_out(settings, monkeypatch):
    # A part's key holds all its markup depends on: no age makes it wrong.
    settings.PAGE_CACHE = True
    caches["fragments"].clear()
    cache.keep_fragments({"part": "<li>専門家</li>"})
    a_day_later = time.time() + 24 * 60 * 60
    monkeypatch.setattr(time, "time", lambda: a_day_later)
    assert cache.kept_fragments(["part"]) == {"part": "<li>専門家</li>"}


def test_memory_is_bounded_in_bytes():
    store = cache.BoundedMemoryCache("bounded-test", {"OPTIONS": {"MAX_BYTES": 50_000}})
    store.clear()
    for n in range(20):
        store.set(f"page-{n}", b"x" * 10_000)
    assert store.bytes_used <= 50_000
    assert store.get("page-19") is not None and store.get("page-0") is None  # the oldest went first
    store.get("page-16")
    store.set("page-new", b"y" * 10_000)
    assert store.get("page-16") is not None  # recently used, kept
    store.set("too-big", b"z" * 60_000)
    assert store.get("too-big") is None and store.bytes_used <= 50_000
    store.clear()
    assert store.bytes_used == 0


def test_the_page_cache_is_off_when_disabled(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE = False
    SupporterFactory()
    first = client.get(LIST)
    assert entries() == 0 and not first.has_header("ETag")
    with django_assert_num_queries(2):  # rendered again: the version and the rows
        client.get(LIST)


@pytest.mark.parametrize("debug, expected", [("1", "False"), ("0", "True")])
def test_the_page_cache_is_off_under_debug(debug, expected):
    env = {**os.environ, "DEBUG": debug, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "localhost"}
    env.pop("PAGE_CACHE", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.PAGE_CACHE)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == expected


# Conditional GET and Cache-Control ------------------------------------------------


def test_public_pages_carry_an_etag_and_answer_304(client):
    SupporterFactory()
    miss = client.get(LIST)
    etag = miss["ETag"]
    assert miss["Cache-Control"] == "public, no-cache"
    assert client.get(LIST, HTTP_IF_NONE_MATCH=etag).status_code == 304  # from memory
    caches["pages"].clear()
    not_modified = client.get(LIST, HTTP_IF_NONE_MATCH=etag)  # rendered again: same page, same ETag
    assert not_modified.status_code == 304 and not_modified.content == b""
    SupporterFactory(name="新しい専門家")
    changed = client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_etag_is_a_digest_of_the_page(client):
    # The same page gives the same validator in every process: XXH3-128, 20 times faster than SHA-1 here.
    SupporterFactory()
    response = client.get(LIST)
    assert response["ETag"] == f'"{xxhash.xxh3_128_hexdigest(response.content)}"'


def test_the_other_conditions_are_still_honoured(client):
    SupporterFactory()
    etag = client.get(LIST)["ETag"]
    assert client.get(LIST, HTTP_IF_MATCH='"another-version"').status_code == 412
    assert client.get(LIST, HTTP_IF_MATCH=etag).status_code == 200
    assert client.get(LIST, HTTP_IF_NONE_MATCH="*").status_code == 304


def test_a_shared_cache_keeps_one_copy_whatever_the_browsers_language(client):
    # One language: the answer does not vary by Accept-Language (only by Cookie, for the header).
    SupporterFactory()
    english = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert [part.strip() for part in english["Vary"].split(",")] == ["Cookie"]
    assert 'lang="ja"' in english.content.decode() and "専門家を探す" in english.content.decode()


def test_shared_caches_may_be_allowed_a_max_age(client, settings):
    settings.PAGE_CACHE_SHARED_MAX_AGE = 60
    assert client.get(reverse("supporters:home"))["Cache-Control"] == "public, max-age=0, s-maxage=60"


# Publication ------------------------------------------------------------------------


def test_one_publication_after_commit_covers_a_whole_transaction(monkeypatch):
    from django.db import transaction

    published = []
    real = cache._publish

    def counting():
        published.append(1)
        real()

    monkeypatch.setattr(cache, "_publish", counting)
    with transaction.atomic():
        for n in range(5):
            SupporterFactory(name=f"一括{n}")
        with transaction.atomic():
            SupporterFactory(name="入れ子")  # inside a savepoint: covered by the one already due
        during = len(published)
    assert len(published) == during + 1  # one after the commit
    with transaction.atomic():
        try:
            with transaction.atomic():
                SupporterFactory(name="取り消される")
                raise RuntimeError("the savepoint rolls back, and its publication with it")
        except RuntimeError:
            pass
        SupporterFactory(name="残る")  # so this write registers its own
        during = len(published)
    assert len(published) == during + 1
