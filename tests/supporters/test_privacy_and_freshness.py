"""No page or export shows an unpublished field; 最終更新日 and the stale mark."""

import datetime
import re

import pytest
from django.utils import timezone

from supporters import services
from supporters.models import Supporter, entry_values
from tests.downloads import text
from tests.factories import SupporterFactory, UserFactory

pytestmark = pytest.mark.django_db
SECRETS = {
    "name_kana": "ヒミツカナ",
    "email": "secret-mail@example.jp",
    "residence_city": "秘密市",
    "organization": "秘密株式会社",
    "qualifications": "秘密資格",
    "groups": "秘密の会",
    "self_pr": "秘密の自己PR",
    "url": "https://secret.example.jp/",
}


@pytest.fixture
def private_entry():
    return SupporterFactory(
        registration_no="400001",
        name="非公開 多め",
        hidden_fields=list(Supporter.HIDEABLE_FIELDS),
        user=UserFactory(email="owner-secret@example.jp"),
        **SECRETS,
    )


def _assert_clean(text):
    for value in [*SECRETS.values(), "owner-secret@example.jp"]:
        assert value not in text, value


@pytest.mark.parametrize(
    "path",
    [
        "/supporters/",
        "/supporters/400001/",
        "/supporters/export.csv",
        "/supporters/export.json",
        "/supporters/?q=非公開",
        "/",
    ],
)
def test_no_page_or_export_leaks_an_unpublished_field(client, private_entry, path):
    response = client.get(path)
    assert response.status_code == 200
    page = text(response)
    assert "非公開 多め" in page or path == "/"
    _assert_clean(page)


def test_hidden_text_is_not_searchable(client, private_entry):
    body = client.get("/supporters/?q=秘密").content.decode()
    assert "非公開 多め" not in body


def test_pending_change_values_are_not_public(client, private_entry):
    data = entry_values(private_entry)
    data.update(hidden_fields=[], self_pr="まだ承認前")
    services.submit_change(supporter=private_entry, data=data, by=private_entry.user)
    for path in ["/supporters/400001/", "/supporters/export.json", "/supporters/?q=承認前"]:
        response = client.get(path)
        text = response.content.decode()
        assert "まだ承認前" not in text
        _assert_clean(text)


def test_unpublished_entries_are_on_no_public_page(client):
    for i, status in enumerate(["draft", "pending", "returned", "rejected", "ended", "expired"]):
        SupporterFactory(registration_no=f"50000{i}", status=status, name=f"見えない{status}")
    text = client.get("/supporters/").content.decode() + client.get("/supporters/export.json").content.decode()
    assert "見えない" not in text
    assert client.get("/supporters/500001/").status_code == 404


def test_stale_entries_are_marked_and_can_be_hidden(client):
    today = timezone.localdate()
    SupporterFactory(name="古い 情報", updated_on=today - datetime.timedelta(days=366))
    SupporterFactory(name="新しい 情報", updated_on=today - datetime.timedelta(days=365))
    body = client.get("/supporters/").content.decode()
    # One mark for the entry in the table and one on its card (one of the two is shown by width).
    assert body.count("情報更新から1年以上</span>") == 2
    assert "古い 情報" in body and "新しい 情報" in body
    assert "最終更新日" in body
    fresh = client.get("/supporters/?fresh=1").content.decode()
    assert "古い 情報" not in fresh and "新しい 情報" in fresh
    assert re.search(r'<input[^>]*name="fresh"[^>]*checked', fresh)
    old = Supporter.objects.get(name="古い 情報")
    assert "情報更新から1年以上" in client.get(old.get_absolute_url()).content.decode()
    exported = text(client.get("/supporters/export.csv?fresh=1"))
    assert "古い 情報" not in exported and "新しい 情報" in exported


def test_fresh_refuses_other_values(client):
    assert client.get("/supporters/?fresh=yes").status_code == 400


def test_help_page_documents_fresh(client):
    assert "fresh=1" in client.get("/help/").content.decode()


@pytest.mark.parametrize("count", [3, 25])
def test_list_query_count_is_constant(client, django_assert_max_num_queries, count):
    old = timezone.localdate() - datetime.timedelta(days=500)
    SupporterFactory.create_batch(count, updated_on=old)
    with django_assert_max_num_queries(3):
        client.get("/supporters/?fresh=1&region=kanto")
    with django_assert_max_num_queries(3):
        client.get("/supporters/")
