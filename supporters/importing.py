"""Validating the rows of a list file (.csv or .xlsx, read by the kernel's reader).

Used by ``manage.py import_supporters`` and by the admin import, so both
refuse the same files with the same row messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from config.spreadsheets import RowError

from .models import Supporter
from .tabular import HEADERS, STAFF_HEADERS, ParsedRow, RowErrors, normalize_header, parse_row


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_table(rows: list[Sequence]) -> ParseResult:
    """Validate every row. Line numbers are spreadsheet rows (header = 1)."""
    result = ParseResult()
    header = [normalize_header(h) for h in rows[0]]
    missing = [h for h in HEADERS if h not in header]
    unknown = [h for h in header if h and h not in STAFF_HEADERS]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if missing or unknown or duplicated:
        parts = []
        if missing:
            parts.append("見出しがありません: " + "、".join(missing))
        if unknown:
            parts.append("不明な見出しです: " + "、".join(unknown))
        if duplicated:
            parts.append("見出しが重複しています: " + "、".join(duplicated))
        result.errors.append(RowError(1, " / ".join(parts)))
        return result

    seen: dict[str, int] = {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        if len(cells) > len(header) and any(str(c or "").strip() for c in cells[len(header) :]):
            result.errors.append(RowError(line, "見出しのない列に値があります"))
            continue
        # Every column of the file, even where a short row stops early (missing cells are empty).
        record = {name: cells[index] if index < len(cells) else None for index, name in enumerate(header)}
        try:
            parsed = parse_row(record, line)
        except RowErrors as exc:
            result.errors.extend(RowError(line, m) for m in exc.messages)
            continue
        number = parsed.fields["registration_no"]
        if number in seen:
            result.errors.append(RowError(line, f"登録番号「{number}」は{seen[number]}行目と重複しています"))
            continue
        seen[number] = line
        result.rows.append(parsed)
    _check_kept_private(result)
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "データ行がありません"))
    return result


def _check_kept_private(result: ParseResult) -> None:
    """A required field left empty is fine only where the stored entry keeps it private
    (re-importing the public CSV); anywhere else it is the row's error."""
    numbers = [row.fields["registration_no"] for row in result.rows if row.keeps]
    hidden: dict[str, list] = {}
    for start in range(0, len(numbers), 500):
        entries = Supporter.objects.live().filter(registration_no__in=numbers[start : start + 500])
        hidden.update(entries.values_list("registration_no", "hidden_fields"))
    valid = []
    for row in result.rows:
        kept = hidden.get(row.fields["registration_no"]) or []
        missing = [column for key, column in row.keeps.items() if key not in kept]
        result.errors.extend(RowError(row.line, f"「{column}」が空欄です") for column in missing)
        if not missing:
            valid.append(row)
    result.rows = valid
    result.errors.sort(key=lambda error: error.line)
