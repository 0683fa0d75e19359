"""Open figures (/stats/): counts of published experts by each term, as charts
with tables and a CSV; every figure equals what the export finds for it."""

import pytest
from django.urls import reverse

from config.spreadsheets import FORMULA_TRIGGERS
from supporters import stats
from supporters.index import COUNTED
from tests.downloads import csv_rows
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

STATS = reverse("supporters:stats")
STATS_CSV = reverse("supporters:stats-csv")
EXPORT = reverse("supporters:export-csv")


@pytest.fixture
def spread():
    SupporterFactory(nationwide=True, regions=(), industries=("finance",), themes=("cloud",), forms=("remote",))
    SupporterFactory(regions=("kinki",), fee="free", forms=("visit", "emergency"))
    SupporterFactory(regions=(), prefectures=("kyoto",), industries=("retail", "medical"), fee="negotiable")
    SupporterFactory(regions=("kanto",), name="=HYPERLINK(1)", organization="株式会社ひみつ")
    SupporterFactory(regions=("kanto",), status="pending", name="審査中の人")


def csv_figures(client) -> list[list[str]]:
    response = client.get(STATS_CSV)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="shienlist-stats-')
    return csv_rows(response)


def export_count(client, name, slug) -> int:
    return len(csv_rows(client.get(EXPORT, {name: slug}))) - 1


def test_every_figure_equals_the_export_for_that_term(client, spread):
    rows = csv_figures(client)
    by_chart = {}
    assert rows[0] == ["区分", "項目", "人数"]
    assert rows[1][0] == "集計日時"
    assert rows[2] == ["掲載中の専門家", "合計", "4"]
    for section, label, count in rows[3:]:
        by_chart.setdefault(section, {})[label] = int(count)
    for name, title, _ in stats.BY_TERM:
        for term in COUNTED[name]:
            assert by_chart[title][term.label] == export_count(client, name, term.slug), (name, term.slug)


def test_the_page_shows_charts_tables_and_when_they_were_computed(client, spread):
    response = client.get(STATS)
    body = response.content.decode()
    assert response.status_code == 200
    assert "掲載中の専門家<strong>4人</strong>" in body
    assert "時点の集計" in body and "<time datetime=" in body
    for _, title, _ in stats.BY_TERM:
        assert f"<caption>{title}</caption>" in body
    assert "登録された月別の専門家数" in body
    assert body.count('<svg class="chart" role="img"') == len(stats.BY_TERM) + 1
    assert f'href="{STATS_CSV}"' in body


def test_nothing_identifies_anyone(client, spread):
    body = client.get(STATS).content.decode()
    text = "".join("".join(row) for row in csv_figures(client))
    for secret in ("株式会社ひみつ", "HYPERLINK", "審査中の人", "紹介"):
        assert secret not in text
    for secret in ("株式会社ひみつ", "HYPERLINK", "審査中の人"):
        assert secret not in body


def test_the_csv_is_formula_safe(client, spread):
    for row in csv_figures(client):
        for cell in row:
            assert cell[:1] not in FORMULA_TRIGGERS, cell


def test_registrations_by_month(client, spread):
    rows = [row for row in csv_figures(client) if row[0].startswith("登録された月別")]
    assert rows
    assert sum(int(row[2]) for row in rows) == 4
    assert all(row[1].endswith("月") for row in rows)


def test_stats_cost_a_constant_number_of_queries(client, spread, django_assert_max_num_queries):
    SupporterFactory.create_batch(20)
    with django_assert_max_num_queries(4):
        client.get(STATS)
    with django_assert_max_num_queries(4):
        csv_figures(client)


def test_bad_parameters_are_ignored_not_errors(client, spread):
    assert client.get(STATS, {"region": "<x>", "page": "-1"}).status_code == 200
    assert client.post(STATS).status_code == 405


def test_a_change_to_the_directory_changes_the_figures(client, spread):
    assert "掲載中の専門家<strong>4人</strong>" in client.get(STATS).content.decode()
    SupporterFactory(regions=("okinawa",))
    assert "掲載中の専門家<strong>5人</strong>" in client.get(STATS).content.decode()


def test_only_the_fee_table_has_a_total_since_other_terms_count_an_expert_in_several_rows(client, spread):
    body = client.get(STATS).content.decode()
    tables = {title: body.split(f"<caption>{title}</caption>")[1].split("</table>")[0] for _, title, _ in stats.BY_TERM}
    with_total = {title for title, table in tables.items() if '<th scope="row">合計</th>' in table}
    assert with_total == {title for name, title, _ in stats.BY_TERM if name == "fee"}
