"""Dates as people write them in Japan, read by one function.

Forms (``config.forms.JapaneseDateField``) and file imports use
``parse_date`` so that a date accepted in one place is accepted in the other:
2028-03-31, 2028/3/31, 2028.3.31, 20280331, 2028年3月31日, 令和10年3月31日,
R10.3.31, R10/3/31 (also 平成 and 元年), in full-width or half-width digits.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.utils import timezone

# (era names and letters, first day). The last day of an era is the day before the next one's first.
ERAS = [
    (("令和", "R"), datetime.date(2019, 5, 1)),
    (("平成", "H"), datetime.date(1989, 1, 8)),
    (("昭和", "S"), datetime.date(1926, 12, 25)),
]
EXAMPLE = "2028年3月31日"

_WESTERN = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_ERA = re.compile(r"(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")


class DateNotUnderstood(ValueError):
    """The text is not a date; ``str(exc)`` says why in Japanese (without the field's name).

    ``kind`` is "format" (not read as a date) or "nonexistent" (e.g. 2月30日).
    """

    def __init__(self, message: str, kind: str = "format"):
        super().__init__(message)
        self.kind = kind


def parse_date(text: str) -> datetime.date:
    """The date ``text`` names, or ``DateNotUnderstood``."""
    value = unicodedata.normalize("NFKC", text or "").strip().upper()
    value = value.replace("元年", "1年") if value.startswith(("令和", "平成", "昭和")) else value
    if match := _ERA.fullmatch(value):
        return _era_date(*match.groups())
    for pattern in (_WESTERN, _COMPACT):
        if match := pattern.fullmatch(value):
            return _date(*(int(part) for part in match.groups()))
    raise DateNotUnderstood(f"「{EXAMPLE}」「2028/3/31」「R10.3.31」のように、年・月・日を入れてください")


def _date(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateNotUnderstood(f"{year}年{month}月{day}日という日付はありません", "nonexistent") from None


def _era_date(era: str, year: str, month: str, day: str) -> datetime.date:
    index = next(i for i, (names, _) in enumerate(ERAS) if era in names)
    (name, _letter), first = ERAS[index]
    era_year = 1 if year == "元" else int(year)
    date = _date(first.year + era_year - 1, int(month), int(day))
    last = ERAS[index - 1][1] - datetime.timedelta(days=1) if index else None
    if era_year == 0 or date < first or (last and date > last):
        raise DateNotUnderstood(f"{name}{year}年{month}月{day}日という日付はありません", "nonexistent")
    return date


def japanese(date: datetime.date | None) -> str:
    """How the site writes a date: 2028年3月31日."""
    return f"{date.year}年{date.month}月{date.day}日" if date else ""


def today() -> datetime.date:
    """Today in the site's time zone (``TIME_ZONE``).

    ``timezone.localdate()`` first looks up the zone activated for the
    current request, a context-local read that is three quarters of its
    time; the site activates none. The directory asks for the date on every
    page it serves (the page cache's key, each entry's 情報更新から1年以上 mark).
    """
    return timezone.now().astimezone(timezone.get_default_timezone()).date()
