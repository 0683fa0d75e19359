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
