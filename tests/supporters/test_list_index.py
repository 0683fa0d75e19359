"""The list's in-memory index (supporters/index.py) answers exactly as SQL does."""

import datetime
import random

import django_filters
import pytest
from django.http import QueryDict
from django.urls import reverse

from supporters import index
from supporters.filters import SupporterFilter
from supporters.models import Supporter
from supporters.taxonomy import FEES, FORMS, INDUSTRIES, PERIODS, PREFECTURES, REGIONS, THEMES
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

WORDS = ["大阪", "おおさか", "監査", "くらうど", "工場", "規程", "ｸﾗｳﾄﾞ", "存在しない語"]


def pick(rng, taxonomy, most):
    return rng.sample(taxonomy.slugs, rng.randint(0, most))


@pytest.fixture
def varied_directory():
    rng = random.Random(15)
    today = datetime.date.today()
    for _ in range(80):
        SupporterFactory(
            registration_no=f"{rng.randint(0, 999_999):06d}",
            nationwide=rng.random() < 0.1,
            regions=pick(rng, REGIONS, 2),
            prefectures=pick(rng, PREFECTURES, 3),
            industries=pick(rng, INDUSTRIES, 3),
            themes=pick(rng, THEMES, 2),
            forms=pick(rng, FORMS, 2),
            periods=pick(rng, PERIODS, 2),
            fee=rng.choice(["", *FEES.slugs]),
            first_free=rng.random() < 0.3,
            support_cases=rng.choice([None, 0, 3, 3, 12, 40]),
            updated_on=today - datetime.timedelta(days=rng.choice([0, 30, 200, 364, 365, 366, 900])),
            self_pr=" ".join(rng.sample(["大阪の工場", "クラウド規程", "監査", "セキュリティ"], rng.randint(0, 2))),
            hidden_fields=["self_pr"] if rng.random() < 0.2 else [],
        )
    SupporterFactory(status="pending", regions=("kanto",), self_pr="監査")  # never listed


def random_query(rng) -> str:
    pairs = []
    for name, taxonomy, most in [
        ("region", REGIONS, 2),
        ("industry", INDUSTRIES, 2),
        ("theme", THEMES, 1),
        ("form", FORMS, 1),
        ("period", PERIODS, 1),
        ("fee", FEES, 2),
    ]:
        if rng.random() < 0.35:
            pairs += [(name, slug) for slug in pick(rng, taxonomy, most)]
    for flag in ("first_free", "fresh"):
        if rng.random() < 0.2:
            pairs.append((flag, "1"))
    if rng.random() < 0.3:
        pairs.append(("q", " ".join(rng.sample(WORDS, rng.randint(1, 2)))))
    if rng.random() < 0.6:
        pairs.append(("sort", rng.choice(list(index.SORTS))))
    return "&".join(f"{k}={v}" for k, v in pairs)


def both_ways(query: str):
    filterset = SupporterFilter(QueryDict(query), queryset=Supporter.objects.published())
    assert filterset.is_valid(), filterset.errors
    assert index.can_answer(filterset)
    directory = index.DirectoryIndex(datetime.date.today())
    return directory.pks(filterset.form.cleaned_data), list(filterset.qs.values_list("pk", flat=True))


def test_every_combination_gives_the_entries_sql_gives_in_the_same_order(varied_directory):
    rng = random.Random(2026)
    checked = 0
    for _ in range(300):
        query = random_query(rng)
        from_index, from_sql = both_ways(query)
        assert from_index == from_sql, query
        checked += bool(from_sql)
    assert checked > 100  # most combinations match someone


def test_one_index_keeps_each_filters_rows_and_still_answers_as_sql(varied_directory, monkeypatch):
    # The rows of every term are worked out with the index, so no search
    # scans the entries for a filter of terms; several terms of a parameter
    # are kept as their union, whatever their order, and reusing them never
    # changes an answer.
    monkeypatch.setattr(index, "PREDICATE_MEMO", 40)
    directory = index.DirectoryIndex(datetime.date.today())
    calls, real = [], directory._has_any
    monkeypatch.setattr(directory, "_has_any", lambda *args: calls.append(args) or real(*args))
    unions, union = [], directory._union
    monkeypatch.setattr(directory, "_union", lambda rows: unions.append(rows) or union(rows))
    first = directory.pks({"industry": ["finance", "retail"], "region": ["kanto"], "prefecture": ["kyoto", "nara"]})
    again = directory.pks({"industry": ["retail", "finance"], "region": ["kanto"], "prefecture": ["nara", "kyoto"]})
    assert again == first and calls == [] and len(unions) == 2
    rng = random.Random(2027)
    for _ in range(300):
        filterset = SupporterFilter(QueryDict(random_query(rng)), queryset=Supporter.objects.published())
        assert filterset.is_valid(), filterset.errors
        from_sql = list(filterset.qs.values_list("pk", flat=True))
        assert directory.pks(filterset.form.cleaned_data) == from_sql, filterset.data
        assert len(directory._predicates) <= 40  # bounded: it starts again when full


@pytest.mark.parametrize("sort", ["", *index.SORTS])
def test_every_order_matches_sql_with_ties_and_missing_counts(varied_directory, sort):
    from_index, from_sql = both_ways(f"sort={sort}" if sort else "")
    assert from_index == from_sql and len(from_sql) == 80


def test_a_page_of_the_answer_is_that_window_of_the_whole_answer(varied_directory, monkeypatch):
    # A page looks for matches only as far into the order as it needs: in
    # steps of 1, 2, 4, 8... rows here, so that every window takes several.
    monkeypatch.setattr(index, "_first_step", lambda wanted, matching, size: 1)
    directory = index.DirectoryIndex(datetime.date.today())
    rng = random.Random(2028)
    windows = 0
    for _ in range(150):
        filterset = SupporterFilter(QueryDict(random_query(rng)), queryset=Supporter.objects.published())
        assert filterset.is_valid(), filterset.errors
        data = filterset.form.cleaned_data
        every = directory.pks(data)
        result = directory.result(data)
        assert result.count() == len(result) == len(every)
        for start, stop in [(0, 3), (0, 20), (3, 9), (20, 40), (len(every) - 2, len(every)), (0, len(every) + 5)]:
            window = slice(max(start, 0), stop)
            assert [stub.pk for stub in result[window]] == every[window], (filterset.data, window)
            windows += bool(every[window])
    assert windows > 300


def test_the_list_page_shows_the_index_answer(client, varied_directory):
    response = client.get(reverse("supporters:list"), {"sort": "-cases", "page": 2})
    page = response.context["page"]
    expected = list(SupporterFilter(QueryDict("sort=-cases"), queryset=Supporter.objects.published()).qs[20:40])
    assert [s.pk for s in page.object_list] == [s.pk for s in expected] and len(expected) == 20
    region = client.get(reverse("supporters:list"), {"region": "kinki"}).context["page"]
    assert region.paginator.count == Supporter.objects.published().serving_regions(["kinki"]).count() > 0


def test_a_change_is_in_the_next_answer(client):
    SupporterFactory(name="前からいる人", regions=("kanto",))
    assert client.get(reverse("supporters:list"), {"region": "kanto"}).context["page"].paginator.count == 1
    SupporterFactory(name="新しい人", regions=("kanto",))
    response = client.get(reverse("supporters:list"), {"region": "kanto"})
    assert response.context["page"].paginator.count == 2 and "新しい人" in response.content.decode()


def test_a_filter_the_index_does_not_know_falls_back_to_sql():
    class WithResidence(SupporterFilter):
        residence = django_filters.MultipleChoiceFilter(choices=PREFECTURES.choices, method="filter_residence")

        def filter_residence(self, queryset, name, value):
            return queryset.filter(residence_prefecture__in=value) if value else queryset

    plain = WithResidence(QueryDict("region=kanto"), queryset=Supporter.objects.published())
    assert plain.is_valid() and index.can_answer(plain)
    extra = WithResidence(QueryDict("region=kanto&residence=osaka"), queryset=Supporter.objects.published())
    assert extra.is_valid() and not index.can_answer(extra)


def test_the_rows_a_page_reads_are_the_full_model_rows(varied_directory):
    # The page's missing rows are read with SQL compiled once per count (index._rows_sql).
    pks = list(Supporter.objects.order_by("?").values_list("pk", flat=True)[:7])
    gone = max(pks) + 1000  # deleted since the index was built
    rows = index._PageRows([*pks, gone])
    rows.read([*pks, gone])
    expected = Supporter.objects.defer("search_text").in_bulk(pks)
    fields = [f.attname for f in Supporter._meta.concrete_fields if f.attname != "search_text"]
    for pk in pks:
        row = rows.get(pk)
        assert isinstance(row, Supporter) and row.get_deferred_fields() == {"search_text"}
        assert [getattr(row, name) for name in fields] == [getattr(expected[pk], name) for name in fields]
    assert rows.get(gone).pk == gone and rows.get(gone).name == ""
