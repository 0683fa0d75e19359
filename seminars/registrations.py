"""支援者リスト新規登録件数推移: new entries week by week, with the registration mails marked.

The seed (§3) reads its promotion this way: the mail of 2025-12-03 to
interested seminar respondents, then more than 50 new entries in December's
second and third weeks; the reminder of 2026-02-05, then nearly 20. Staff see
the same for any fiscal year: each week's new entries (the day an entry was
registered, counting entries that reached the list) and, on the week a
follow-up mail went out (seminars.Reminder), the day and how many were sent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from config.charts import Bar, BarChart
from supporters.models import Supporter

from .models import Reminder

# Entries that reached the list (a draft, a pending or a rejected application is no registration yet).
LISTED = [Supporter.Status.PUBLISHED, Supporter.Status.ENDED, Supporter.Status.EXPIRED]


def fiscal_year(day: datetime.date) -> int:
    """The Japanese fiscal year (April to March) ``day`` falls in, by its starting year."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_label(year: int) -> str:
    return f"{year}年度(令和{year - 2018}年度)"


def _start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass
class FiscalYear:
    year: int
    registrations: int

    @property
    def label(self) -> str:
        return fiscal_label(self.year)


def fiscal_years() -> list[FiscalYear]:
    """Fiscal years with new entries, newest first (one query, by month)."""
    months = (
        Supporter.objects.filter(status__in=LISTED)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    years: dict[int, int] = {}
    for row in months:
        year = fiscal_year(row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"])
        years[year] = years.get(year, 0) + row["n"]
    return [FiscalYear(year, n) for year, n in sorted(years.items(), reverse=True)]


def _as_date(value) -> datetime.date:
    return timezone.localdate(value) if isinstance(value, datetime.datetime) else value


def weekly_chart(year: int, today: datetime.date | None = None) -> BarChart:
    """One bar per week (Monday to Sunday) of fiscal ``year``, from its first week with a new
    entry or a mail to its last (or this week, in the current year); mails as notes."""
    today = today or timezone.localdate()
    first_day, last_day = datetime.date(year, 4, 1), min(datetime.date(year + 1, 3, 31), today)
    span = {"gte": _start(first_day), "lt": _start(last_day + datetime.timedelta(days=1))}
    weekly = dict(
        Supporter.objects.filter(status__in=LISTED, created_at__gte=span["gte"], created_at__lt=span["lt"])
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("week", "n")
    )
    weekly = {_as_date(week): n for week, n in weekly.items()}
    mails = [
        (_as_date(day), n)
        for day, n in Reminder.objects.filter(sent_at__gte=span["gte"], sent_at__lt=span["lt"])
        .annotate(day=TruncDate("sent_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
        .values_list("day", "n")
    ]
    marked = [day - datetime.timedelta(days=day.weekday()) for day, _ in mails] + list(weekly)
    bars = []
    if marked:
        week = min(marked)
        end = max([*marked, today - datetime.timedelta(days=today.weekday())] if last_day == today else marked)
        while week <= end:
            sunday = week + datetime.timedelta(days=6)
            notes = [f"{d.month}/{d.day} 登録案内メール{n:,}通" for d, n in mails if week <= d <= sunday]
            bar = Bar.single(f"{week.month}/{week.day}〜{sunday.month}/{sunday.day}", weekly.get(week, 0))
            bar.note = "、".join(notes)
            bars.append(bar)
            week += datetime.timedelta(days=7)
    return BarChart(
        "registrations",
        f"支援者リスト新規登録件数推移({fiscal_label(year)}・週ごと)",
        "週(月曜〜日曜)",
        bars,
    )
