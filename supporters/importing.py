"""Validating the rows of a list file (.csv or .xlsx, read by the kernel's reader).

Used by ``manage.py import_supporters`` and by the admin import, so both
refuse the same files with the same row messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from config.spreadsheets import RowError

from .tabular import HEADERS, ParsedRow, RowErrors, normalize_header, parse_row


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_table(rows: list[Sequence]) -> ParseResult:
    """Validate every row. Line numbers are spreadsheet rows (header = 1)."""
    result = ParseResult()
    header = [normalize_header(h) for h in rows[0]]
    missing = [h for h in HEADERS if h not in header]
    unknown = [h for h in header if h and h not in HEADERS]
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
        record = dict(zip(header, cells, strict=False))  # short rows: missing cells are empty
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
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "データ行がありません"))
    return result
