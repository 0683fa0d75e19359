"""The case flow (案件発生状況) for IPA staff: counts and their bar charts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from supporters.taxonomy import INDUSTRIES, PREFECTURES, REGIONS, THEMES

from .models import Case, Referral, ReferralStatus

BAR_HEIGHT = 24
BAR_GAP = 8
LABEL_WIDTH = 190
BAR_AREA = 420


@dataclass
class Bar:
    label: str
    count: int
    y: int = 0
    width: int = 0

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 7


@dataclass
class Section:
    """One breakdown: a table and the same numbers as a horizontal bar chart."""

    slug: str
    title: str
    heading: str
    bars: list[Bar] = field(default_factory=list)

    def __post_init__(self):
        top = max((bar.count for bar in self.bars), default=0)
        for index, bar in enumerate(self.bars):
            bar.y = index * (BAR_HEIGHT + BAR_GAP)
            bar.width = round(BAR_AREA * bar.count / top) if top else 0

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * (BAR_HEIGHT + BAR_GAP)

    # Geometry the template needs, kept here so the SVG stays declarative.
    label_width = LABEL_WIDTH
    bar_height = BAR_HEIGHT

    @property
    def width(self) -> int:
        return LABEL_WIDTH + BAR_AREA + 60

    @property
    def count_x(self) -> int:
        return LABEL_WIDTH + 6


def _by_month(cases) -> Section:
    rows = cases.annotate(month=TruncMonth("created_at")).order_by("month").values("month").annotate(n=Count("pk"))
    bars = [Bar(f"{row['month'].year}年{row['month'].month}月", row["n"]) for row in rows]
    return Section("month", "月別の相談案件数", "月", bars)


def _by_region(cases) -> Section:
    per_prefecture = dict(cases.order_by().values_list("prefecture").annotate(n=Count("pk")))
    totals = dict.fromkeys(REGIONS.slugs, 0)
    for slug, count in per_prefecture.items():
        prefecture = PREFECTURES.get(slug)
        if prefecture:
            totals[prefecture.region] += count
    return Section("region", "地域別の相談案件数", "地域", [Bar(REGIONS.label(s), n) for s, n in totals.items()])


def _by_industry(cases) -> Section:
    counts = dict(cases.order_by().values_list("industry").annotate(n=Count("pk")))
    return Section("industry", "業種別の相談案件数", "業種", [Bar(t.label, counts.get(t.slug, 0)) for t in INDUSTRIES])


def _by_theme(cases) -> Section:
    # Themes are a bit set, so one aggregate counts every theme at once.
    counts = cases.aggregate(**{t.slug: Count("pk", filter=Q(themes__has_any=[t.slug])) for t in THEMES})
    return Section(
        "theme", "指導テーマ別の相談案件数(複数選択)", "指導テーマ", [Bar(t.label, counts[t.slug]) for t in THEMES]
    )


def _by_outcome(referrals) -> Section:
    bars = [Bar(label, n) for _, label, n in referrals.status_counts()]
    return Section("outcome", "紹介の状況別の件数", "状況", bars)


def case_flow() -> list[Section]:
    """Every breakdown of the case flow, in page order."""
    cases = Case.objects.all()
    return [
        _by_month(cases),
        _by_region(cases),
        _by_industry(cases),
        _by_theme(cases),
        _by_outcome(Referral.objects.all()),
    ]


def per_expert() -> list[dict]:
    """Referral counts per expert and state (staff only: never public)."""
    rows = (
        Referral.objects.order_by()
        .values("supporter__registration_no", "supporter__name", "status")
        .annotate(n=Count("pk"))
    )
    experts: dict[str, dict] = {}
    for row in rows:
        expert = experts.setdefault(
            row["supporter__registration_no"],
            {"registration_no": row["supporter__registration_no"], "name": row["supporter__name"], "counts": {}},
        )
        expert["counts"][row["status"]] = row["n"]
    result = []
    for expert in sorted(experts.values(), key=lambda e: (-sum(e["counts"].values()), e["registration_no"])):
        expert["cells"] = [expert["counts"].get(value, 0) for value in ReferralStatus.values]
        expert["total"] = sum(expert["cells"])
        result.append(expert)
    return result
