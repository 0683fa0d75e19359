"""The case flow (案件発生状況) for IPA staff: counts and their bar charts."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from config.charts import Bar, BarChart
from supporters.taxonomy import INDUSTRIES, PREFECTURES, REGIONS, THEMES

from .models import Case, Referral, ReferralStatus


def _by_month(cases) -> BarChart:
    rows = cases.annotate(month=TruncMonth("created_at")).order_by("month").values("month").annotate(n=Count("pk"))
    bars = [Bar.single(f"{row['month'].year}年{row['month'].month}月", row["n"]) for row in rows]
    return BarChart("month", "月別の相談案件数", "月", bars)


def _by_region(cases) -> BarChart:
    per_prefecture = dict(cases.order_by().values_list("prefecture").annotate(n=Count("pk")))
    totals = dict.fromkeys(REGIONS.slugs, 0)
    for slug, count in per_prefecture.items():
        prefecture = PREFECTURES.get(slug)
        if prefecture:
            totals[prefecture.region] += count
    return BarChart(
        "region", "地域別の相談案件数", "地域", [Bar.single(REGIONS.label(s), n) for s, n in totals.items()]
    )


def _by_industry(cases) -> BarChart:
    counts = dict(cases.order_by().values_list("industry").annotate(n=Count("pk")))
    bars = [Bar.single(t.label, counts.get(t.slug, 0)) for t in INDUSTRIES]
    return BarChart("industry", "業種別の相談案件数", "業種", bars)


def _by_theme(cases) -> BarChart:
    # Themes are a bit set, so one aggregate counts every theme at once.
    counts = cases.aggregate(**{t.slug: Count("pk", filter=Q(themes__has_any=[t.slug])) for t in THEMES})
    bars = [Bar.single(t.label, counts[t.slug]) for t in THEMES]
    return BarChart("theme", "指導テーマ別の相談案件数(複数選択)", "指導テーマ", bars)


def _by_outcome(referrals) -> BarChart:
    bars = [Bar.single(label, n) for _, label, n in referrals.status_counts()]
    return BarChart("outcome", "紹介の状況別の件数", "状況", bars)


def case_flow() -> list[BarChart]:
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
