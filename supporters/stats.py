"""Open figures (/stats/): how many published experts there are, by each of the list's terms.

Every figure by a term is what the list (and its export) finds for
``?<parameter>=<slug>``: the list index's ``counts`` (supporters/index.py),
so the page, the CSV, the map and the list never disagree. Only counts of
published entries: nothing that identifies a company, no referral figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from config.charts import Bar, BarChart

from .index import COUNTED, DirectoryIndex
from .models import Supporter

# (parameter, chart title, the table's first column), in page order.
BY_TERM = (
    ("region", "支援対象地域別の専門家数(全国対応の専門家はすべての地域に数えます)", "地域"),
    ("prefecture", "都道府県別の専門家数(その都道府県で支援できる専門家)", "都道府県"),
    ("industry", "得意とする業界別の専門家数(複数登録あり)", "業界"),
    ("theme", "指導テーマ別の専門家数(複数登録あり)", "指導テーマ"),
    ("form", "支援の形態別の専門家数(複数登録あり)", "支援の形態"),
    ("fee", "支援料金(1回2時間あたり)別の専門家数", "支援料金"),
)
UNIT = "人"


@dataclass
class Figures:
    total: int
    computed_at: datetime.datetime
    charts: list[BarChart]


def _by_term(directory: DirectoryIndex, name: str, title: str, heading: str) -> BarChart:
    counts = directory.counts(name)
    bars = [Bar.single(term.label, counts[term.slug]) for term in COUNTED[name]]
    # An expert has one fee band but may serve many regions, industries, themes and forms.
    return BarChart(name, title, heading, bars, unit=UNIT, adds_up=name == "fee")


def _by_month() -> BarChart:
    """Published experts by the month their entry was created (registered or imported)."""
    rows = (
        Supporter.objects.published()
        .annotate(month=TruncMonth("created_at"))
        .order_by("month")
        .values("month")
        .annotate(n=Count("pk"))
    )
    bars = [Bar.single(f"{row['month'].year}年{row['month'].month}月", row["n"]) for row in rows]
    return BarChart("month", "登録された月別の専門家数(掲載中の専門家)", "月", bars, unit=UNIT)


def figures(directory: DirectoryIndex) -> Figures:
    charts = [_by_term(directory, name, title, heading) for name, title, heading in BY_TERM]
    charts.append(_by_month())
    return Figures(directory.size, timezone.localtime(), charts)


def csv_rows(found: Figures):
    """The figures as the CSV has them: one row per bar, with what was counted and when."""
    yield ["集計日時", timezone.localtime(found.computed_at).strftime("%Y-%m-%d %H:%M"), ""]
    yield ["掲載中の専門家", "合計", found.total]
    for chart in found.charts:
        for bar in chart.bars:
            yield [chart.title, bar.label, bar.count]
