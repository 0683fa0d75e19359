"""Rendered rows and filter widgets are reused, and the page is the same as a full render."""

import datetime

import pytest
from django.core.cache import caches
from django.urls import resolve, reverse

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
    later = timezone.now() + datetime.timedelta(days=400)
    monkeypatch.setattr(timezone, "now", lambda: later)
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


def test_whole_pages_and_kept_rows_have_separate_memories(client, django_assert_max_num_queries, directory):
    # A stream of distinct searches, each stored whole, must not push out the rows every page needs.
    client.get(LIST, {"region": "kanto"})
    caches["pages"].clear()
    with django_assert_max_num_queries(1):  # the directory version; rows still kept
        response = client.get(LIST, {"region": "kanto", "first_free": "1"})
    assert response.status_code == 200 and "姓" in response.content.decode()


def test_only_the_rows_not_kept_are_read(client, directory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(LIST)  # all 20 rows of the first page rendered and kept
    entry = Supporter.objects.published().order_by("registration_no").first()
    Supporter.objects.filter(pk=entry.pk).update(name="変更後の氏名")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(LIST).content.decode()
    assert "変更後の氏名" in body
    # Besides the version and the index rebuilt after the change: one read, of the changed row.
    row_reads = [q["sql"] for q in queries.captured_queries if '"supporters_supporter"."id" IN (' in q["sql"]]
    assert len(row_reads) == 1 and f'"supporters_supporter"."id" IN ({entry.pk})' in row_reads[0]


def test_each_filter_group_is_rendered_once_per_selection(client, directory):
    group = "supporters/_filter_group.html"
    first = client.get(LIST, {"region": "kanto"})
    drop_pages()
    again = client.get(LIST, {"region": "kanto", "q": "姓"})  # another search, the same groups
    assert [t.name for t in first.templates].count(group) == 6
    assert group not in [t.name for t in again.templates]
    body = again.content.decode()
    assert '<input type="checkbox" name="region" value="kanto" id="id_region_2" checked>' in body
    assert "(1つ選択中)" in body


def test_a_selection_is_rendered_once_whatever_the_order_of_its_values(client, directory):
    group = "supporters/_filter_group.html"
    first = client.get(LIST, {"region": ["kanto", "kinki"], "industry": ["finance", "retail"]})
    drop_pages()
    again = client.get(LIST, {"region": ["kinki", "kanto"], "industry": ["retail", "finance"], "q": "姓"})
    assert [t.name for t in first.templates].count(group) == 6
    assert group not in [t.name for t in again.templates]
    assert again.content.decode().count("(2つ選択中)") == 2
    drop_pages()
    caches["fragments"].clear()
    assert (
        client.get(LIST, {"region": ["kinki", "kanto"], "industry": ["retail", "finance"], "q": "姓"}).content
        == again.content
    )


def test_kept_parts_follow_the_sites_path(client, directory):
    # One process reached under two paths (behind a proxy, or warmed up before): no kept row or map
    # may carry the other path's links.
    from django.urls import set_script_prefix

    entry = Supporter.objects.published().order_by("registration_no").first()
    client.get(LIST, {"region": "kanto"})
    drop_pages()
    set_script_prefix("/shien/")  # what Django's WSGI handler sets from SCRIPT_NAME
    try:
        body = client.get(LIST, {"region": "kanto"}, SCRIPT_NAME="/shien").content.decode()
    finally:
        set_script_prefix("/")
    assert f'href="/shien/supporters/{entry.registration_no}/?region=kanto"' in body
    assert 'href="/shien/supporters/?prefecture=kyoto"' in body  # the map below the results
    assert 'href="/supporters/' not in body


def test_filter_forms_share_their_fields_but_not_their_data(directory):
    from django.http import QueryDict

    from supporters.filters import SupporterFilter

    kanto = SupporterFilter(QueryDict("region=kanto"), queryset=Supporter.objects.published())
    wrong = SupporterFilter(QueryDict("region=atlantis"), queryset=Supporter.objects.published())
    # Django deep-copies every field per form; these never change per request.
    assert kanto.form.fields["region"] is wrong.form.fields["region"]
    assert kanto.is_valid() and not wrong.is_valid()
    assert kanto.form.cleaned_data["region"] == ["kanto"]
    assert "「atlantis」は選択できない値です。" in wrong.form.errors["region"]
    assert kanto.filters["region"].parent is kanto and wrong.filters["region"].parent is wrong
    assert kanto.qs.count() == 31


def test_a_set_of_choices_not_seen_before_is_drawn_without_the_widget_templates(client, directory):
    client.get(LIST, {"region": "kanto", "theme": "policy"})
    drop_pages()
    caches["fragments"].clear()  # no group's markup kept: each is drawn again
    response = client.get(LIST, {"region": ["hokkaido", "kinki"], "theme": ["policy", "incident-response"]})
    names = [t.name for t in response.templates]
    assert names.count("supporters/_filter_group.html") == 6
    checkbox_templates = {
        "django/forms/widgets/checkbox_select.html",
        "django/forms/widgets/multiple_input.html",
        "django/forms/widgets/checkbox_option.html",
        "django/forms/widgets/input_option.html",
        "supporters/widgets/described_option.html",
    }
    assert not checkbox_templates & set(names)
    body = response.content.decode()
    assert '<input type="checkbox" name="region" value="hokkaido" id="id_region_0" checked>' in body
    assert 'value="incident-response" id="id_theme_' in body and "(2つ選択中)" in body


@pytest.mark.parametrize("name", ["region", "industry", "theme", "form", "period", "fee"])
def test_every_set_of_one_or_two_choices_is_drawn_as_the_widget_templates_draw_it(name, settings):
    from itertools import combinations

    from django.forms import CheckboxSelectMultiple

    from supporters.cache import _plans
    from supporters.filters import SupporterFilter

    _plans.clear()
    widget = SupporterFilter().form.fields[name].widget
    values = [str(value) for value, _ in widget.choices]
    sets = [[], values, *([v] for v in values), *(list(pair) for pair in combinations(values, 2))]
    attrs = {"id": f"id_{name}"}
    for chosen in sets:
        settings.PAGE_CACHE = True
        drawn = widget.render(name, chosen, attrs)
        assert drawn == CheckboxSelectMultiple.render(widget, name, chosen, attrs), chosen
    assert len(_plans) == 1 and None not in _plans.values()  # drawn from its parts, not its templates


def test_a_widget_whose_markup_depends_on_the_set_otherwise_is_drawn_by_its_templates():
    from supporters.cache import _plans
    from supporters.filters import FilterCheckboxes

    class Counting(FilterCheckboxes):
        def get_context(self, name, value, attrs):
            context = super().get_context(name, value, attrs)
            context["widget"]["attrs"]["class"] = f"chosen-{len(context['widget']['value'])}"
            return context

    widget = Counting(choices=[("a", "A"), ("b", "B"), ("c", "C")])
    _plans.clear()
    drawn = widget.render("letters", ["a", "c"], {"id": "id_letters"})
    assert 'class="chosen-2"' in drawn and drawn.count(" checked") == 2
    assert list(_plans.values()) == [None]  # found out once; drawn through the templates
    assert 'class="chosen-1"' in widget.render("letters", ["b"], {"id": "id_letters"})


def test_a_page_looks_up_its_kept_filter_fields_and_entries_once_each(client, directory, monkeypatch):
    from supporters.cache import BoundedMemoryCache

    client.get(LIST, {"region": "kanto", "q": "姓"})
    drop_pages()
    lookups = []
    get_many = BoundedMemoryCache.get_many
    monkeypatch.setattr(
        BoundedMemoryCache, "get_many", lambda self, keys, **kw: lookups.append(keys) or get_many(self, keys, **kw)
    )
    body = client.get(LIST, {"region": "kanto", "q": "姓", "sort": "-cases"}).content.decode()
    fields = [keys for keys in lookups if keys[0].startswith("field:")]
    assert len(fields) == 1 and len(fields[0]) == 10  # every field of the form in one lookup
    assert len([keys for keys in lookups if ":entry:" in keys[0] or keys[0].startswith("entry:")]) == 1
    assert 'value="姓"' in body and "(1つ選択中)" in body


@pytest.mark.parametrize("path", ["/supporters/", "/supporters/000123/"])
def test_the_list_and_a_profile_match_the_first_url_patterns_tried(path):
    # Django keeps every pattern it tried on the request (ResolverMatch.tried):
    # the directory's pages, most of the traffic, match among the first ones.
    match = resolve(path)
    assert match.view_name in ("supporters:list", "supporters:detail")
    assert len(match.tried) <= 2
