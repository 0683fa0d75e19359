"""Rendered rows and filter widgets are reused, and the page is the same as a full render."""

import datetime

import pytest
from django.core.cache import caches
from django.urls import reverse

from supporters.models import Supporter
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

LIST = reverse("supporters:list")
QUERIES = [
    {},
    {"region": "kanto", "sort": "-cases"},
    {"q": "姓", "industry": "finance", "first_free": "1", "page": "2"},
    {"theme": "policy", "fee": "10k-20k", "fresh": "1"},
    {"prefecture": ["kyoto", "osaka"], "region": "kanto"},
]


@pytest.fixture(autouse=True)
def _empty():
    caches["pages"].clear()
    caches["fragments"].clear()


@pytest.fixture
def directory():
    old = datetime.date.today() - datetime.timedelta(days=400)
    SupporterFactory.create_batch(30, regions=("kanto",), industries=("finance",), first_free=True)
    SupporterFactory(
        regions=("kanto",), updated_on=old, name="<b>古い</b>", hidden_fields=["residence"], support_cases=99
    )


def drop_pages():
    """Forget the whole pages, keep the rendered rows and widgets."""
    caches["pages"].clear()


def render_all(client):
    return [client.get(LIST, query).content for query in QUERIES]


def test_reused_rows_and_widgets_give_the_same_page_as_a_full_render(client, settings, directory):
    settings.PAGE_CACHE = False
    expected = render_all(client)
    settings.PAGE_CACHE = True
    first = render_all(client)  # renders rows and widgets, keeps them
    caches["pages"].clear()
    caches["fragments"].clear()
    assert first == expected
    render_all(client)
    drop_pages()
    assert render_all(client) == expected
    page = expected[1].decode()
    assert "&lt;b&gt;古い&lt;/b&gt;" in page and "情報更新から1年以上" in page
    assert "?region=kanto&amp;sort=-cases" in page  # each row's link carries the search back


def test_a_page_whose_rows_are_rendered_reads_no_rows(client, django_assert_max_num_queries, directory):
    client.get(LIST, {"region": "kanto"})
    with django_assert_max_num_queries(1):  # the directory version; rows and index from memory
        response = client.get(LIST, {"region": "kanto", "industry": "finance"})
    assert response.status_code == 200 and "姓" in response.content.decode()


def test_a_changed_entry_is_rendered_anew_by_any_write_path(client, directory):
    entry = Supporter.objects.published().order_by("registration_no").first()
    client.get(LIST)
    Supporter.objects.filter(pk=entry.pk).update(name="一括で変更")
    assert "一括で変更" in client.get(LIST).content.decode()
    Supporter.objects.update_each([Supporter(pk=entry.pk, name="取込で変更")], ["name"])
    assert "取込で変更" in client.get(LIST).content.decode()


def test_rows_are_marked_stale_by_the_date_of_the_request(client, directory, monkeypatch):
    from django.utils import timezone

    # Each entry is drawn twice, as a card (phones) and as a table row (CSS shows one).
    body = client.get(LIST, {"sort": "updated"}).content.decode()
    assert body.count("badge-stale") == 2
    later = timezone.localdate() + datetime.timedelta(days=400)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    drop_pages()  # rows kept from yesterday must not keep yesterday's marks
    body = client.get(LIST, {"sort": "updated"}).content.decode()
    assert body.count("badge-stale") == 40


def test_the_prefecture_list_is_rendered_once_per_choice(client, directory):
    # 47 options in region groups through the widget templates cost more than the rest of the form.
    widget = "supporters/widgets/prefecture_select.html"
    first = client.get(LIST, {"prefecture": "kyoto"})
    drop_pages()
    again = client.get(LIST, {"prefecture": "kyoto", "industry": "finance"})
    assert [t.name for t in first.templates].count(widget) == 1
    assert widget not in [t.name for t in again.templates]
    assert '<option value="kyoto" selected>京都府</option>' in again.content.decode()
