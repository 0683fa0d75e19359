"""Reading list files (.csv in UTF-8/CP932, .xlsx) into validated rows.

Used by ``manage.py import_supporters`` and by the admin import, so both
refuse the same files with the same row messages.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .tabular import HEADERS, ParsedRow, RowErrors, normalize_header, parse_row

MAX_ROWS = 100_000


class FileRefused(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self):
        return f"{self.line}行目: {self.message}"


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; CP932 is what Excel in Japan writes."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused("文字コードを判別できません。UTF-8 または Shift_JIS(CP932)で保存してください。")


def _csv_rows(data: bytes) -> list[list]:
    text = _decode(data)
    if "\x00" in text:
        raise FileRefused("CSVファイルとして読み込めません(バイナリデータが含まれています)。")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileRefused(f"CSVファイルとして読み込めません: {exc}") from exc


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused("xlsxファイルとして読み込めません。Excelで開けるか確認してください。") from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> list[list]:
    """Rows of cells (header first) from the bytes of a .csv or .xlsx file."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(data)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(data)
    else:
        raise FileRefused("読み込めるのは .csv と .xlsx のファイルです。")
    # Spreadsheets often carry empty trailing rows; they are not data.
    while rows and not any(str(c or "").strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise FileRefused("ファイルが空です。1行目に見出し行が必要です。")
    if len(rows) - 1 > MAX_ROWS:
        raise FileRefused(f"行数が多すぎます(最大{MAX_ROWS:,}行)。ファイルを分けてください。")
    return rows


def parse_table(rows: list[list]) -> ParseResult:
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
