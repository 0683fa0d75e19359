"""Spreadsheets in and out: one reader for every upload and import, one writer for every download.

Reading (``read_upload``, ``read_path``, ``read_bytes``): .csv (UTF-8, UTF-8
with BOM, CP932) and .xlsx, treated as hostile. Limits on the file size, on
what an .xlsx unpacks to (declared sizes, which the zip reader enforces), on
rows, columns, cells and the length of a cell are checked before or while
parsing, so any file is refused in seconds and in bounded memory. No XML
part may declare a DTD (a real workbook never does): every part is scanned
for ``<!DOCTYPE`` before openpyxl parses anything, so no entity is ever
expanded or fetched (docs/decisions/0610). Every refusal is a
``SpreadsheetRefused`` whose message names the limit or the row, in
Japanese, for the user.

Writing (``csv_response``, ``xlsx_response``, ``xlsx_table_response``): every
cell that a spreadsheet would run as a formula is defused (OWASP "CSV
injection"): in CSV with a leading apostrophe, in xlsx as a text cell with
Excel's quote prefix, so it stays text even when edited. Free text comes from
experts, companies and survey respondents, so any cell may be hostile.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.http import HttpResponse, StreamingHttpResponse

logger = logging.getLogger(__name__)

MB = 1024 * 1024


class SpreadsheetRefused(Exception):
    """The file cannot be read as a whole; the message is for the user."""


@dataclass
class RowError:
    """A problem with one row of an imported file (row 1 is the header)."""

    line: int
    message: str

    def __str__(self):
        return f"{self.line}行目: {self.message}"


@dataclass(frozen=True)
class Limits:
    """What one upload may hold. The defaults fit the whole directory (about 23,000 experts)."""

    file_bytes: int = 10 * MB
    # What an .xlsx unpacks to: its worksheets in all, and any other part.
    unpacked_bytes: int = 100 * MB
    part_bytes: int = 30 * MB
    parts: int = 500
    rows: int = 30_000  # data rows, below the header
    columns: int = 200
    cells: int = 1_500_000
    # Distinct strings of an .xlsx (its shared-string table, held whole while reading).
    strings: int = 500_000
    cell_chars: int = 32_767  # Excel's own limit for one cell


LIMITS = Limits()
EXCEL_MAX_ROWS = 1_048_576
_EMPTY: tuple = ()


def _mb(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size / 1024:,.0f} KB"


class SpreadsheetField(forms.FileField):
    """An uploaded .csv or .xlsx, cleaned to its rows; a file the reader refuses is the field's error."""

    def __init__(self, *, limits: Limits = LIMITS, **kwargs):
        kwargs.setdefault("error_messages", {"required": "ファイルを選んでください。", "empty": "ファイルが空です。"})
        super().__init__(**kwargs)
        self.limits = limits

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return upload
        try:
            return read_upload(upload, limits=self.limits)
        except SpreadsheetRefused as exc:
            raise forms.ValidationError(str(exc), code="refused") from exc


def read_upload(upload, *, limits: Limits = LIMITS) -> list[Sequence]:
    """Rows of an uploaded file (Django ``UploadedFile``), refused by its size before it is read."""
    _check_size(upload.size, limits)
    return read_bytes(upload.read(limits.file_bytes + 1), upload.name, limits=limits)


def read_path(path: Path, *, limits: Limits = LIMITS) -> list[Sequence]:
    """Rows of a file on disk (management commands); ``OSError`` if it cannot be opened.

    Read up to one byte past the limit, whatever the file claims (a pipe or a device has no size)."""
    with path.open("rb") as stream:
        data = stream.read(limits.file_bytes + 1)
    return read_bytes(data, path.name, limits=limits)


def read_bytes(data: bytes, filename: str, *, limits: Limits = LIMITS) -> list[Sequence]:
    """Rows of cells, header first, from a .csv or .xlsx file's bytes.

    Row ``n`` of the result is row ``n + 1`` of the spreadsheet (empty rows
    in the middle are kept as empty tuples; trailing ones are dropped).
    """
    _check_size(len(data), limits)
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        rows = _Rows(limits).read(_csv_rows(data))
    elif suffix == ".xlsx":
        rows = _xlsx_rows(data, limits)
    else:
        raise SpreadsheetRefused("読み込めるのは .csv と .xlsx のファイルです。")
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise SpreadsheetRefused("ファイルが空です。1行目に見出し行が必要です。")
    return rows


def _check_size(size: int, limits: Limits) -> None:
    if size > limits.file_bytes:
        raise SpreadsheetRefused(
            f"ファイルが大きすぎます({_mb(size)})。{_mb(limits.file_bytes)}までのファイルにしてください"
            "(行を分けて、何回かに分けて取り込めます)。"
        )


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Rows:
    """Collects rows while enforcing the row, column, cell and length limits as they arrive."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.rows: list[Sequence] = []
        self.filled = 0
        self.cells = 0

    def read(self, rows: Iterable[Sequence]) -> list[Sequence]:
        for row in rows:
            self.add(row)
        return self.rows

    def add(self, row: Sequence) -> None:
        line = len(self.rows) + 1
        limits = self.limits
        if line > EXCEL_MAX_ROWS:
            raise SpreadsheetRefused(f"{EXCEL_MAX_ROWS:,}行目より下にデータがあり、読み込めません。")
        if len(row) > limits.columns:
            raise SpreadsheetRefused(
                f"{line}行目の列が多すぎます(最大{limits.columns}列)。{limits.columns}列目より右のセルを削除してください。"
            )
        self.cells += len(row)
        if self.cells > limits.cells:
            raise SpreadsheetRefused(CELLS_REFUSED.format(cells=limits.cells))
        if all(_blank(value) for value in row):
            self.rows.append(_EMPTY)
            return
        for value in row:
            if isinstance(value, str) and len(value) > limits.cell_chars:
                raise SpreadsheetRefused(f"{line}行目のセルが長すぎます(1つのセルは{limits.cell_chars:,}文字まで)。")
        self.filled += 1
        if self.filled > limits.rows + 1:  # the header row plus the data rows
            raise SpreadsheetRefused(f"行数が多すぎます(最大{limits.rows:,}行)。ファイルを分けてください。")
        self.rows.append(row)


# CSV ----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; CP932 is what Excel in Japan writes."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetRefused("文字コードを判別できません。UTF-8 または Shift_JIS(CP932)で保存してください。")


def _csv_rows(data: bytes):
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetRefused("このファイルはCSVではなくxlsx(Excel形式)のようです。拡張子を .xlsx にしてください。")
    text = _decode(data)
    if "\x00" in text:
        raise SpreadsheetRefused("CSVファイルとして読み込めません(バイナリデータが含まれています)。")
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SpreadsheetRefused(
                f"{reader.line_num}行目を読み込めません。セルが長すぎるか(1つのセルは{csv.field_size_limit():,}文字まで)、"
                '引用符(")の対応が正しくありません。'
            ) from exc
        yield row


# xlsx ----------------------------------------------------------------------------------

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_CENTRAL_DIRECTORY_MAX = 1 * MB  # a real workbook's is a few kilobytes

NOT_XLSX = "xlsxファイルとして読み込めません。Excelで開けるか確認し、「Excel ブック(*.xlsx)」で保存し直してください。"
BROKEN = "xlsxファイルの内容が壊れているか、途中で切れています。Excelで開けるか確認し、保存し直してください。"


def _central_directory_size(data: bytes) -> int:
    """The size the zip's end record gives its table of contents, read before ``zipfile``
    builds one object per entry (a crafted table could hold hundreds of thousands)."""
    start = data.rfind(_EOCD, max(0, len(data) - _EOCD_SIZE - 0xFFFF))
    if start < 0 or len(data) < start + _EOCD_SIZE:
        raise SpreadsheetRefused(NOT_XLSX)
    size = struct.unpack("<I", data[start + 12 : start + 16])[0]
    if size > _CENTRAL_DIRECTORY_MAX:
        raise SpreadsheetRefused("xlsxファイルの構成が正しくありません(部品の一覧が大きすぎます)。")
    return size


def _check_parts(data: bytes, limits: Limits) -> None:
    """Refuse before parsing anything: too many parts, parts that unpack too far (zip bombs), DTDs."""
    _central_directory_size(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > limits.parts:
                raise SpreadsheetRefused(
                    f"xlsxファイルの構成が正しくありません(部品が{limits.parts}個を超えています)。"
                )
            if any(part.flag_bits & 0x1 for part in parts):
                raise SpreadsheetRefused(
                    "パスワードで保護されたxlsxファイルは読み込めません。保護を外して保存し直してください。"
                )
            for part in parts:
                if not part.filename.startswith("xl/worksheets/") and part.file_size > limits.part_bytes:
                    raise SpreadsheetRefused(
                        f"xlsxファイルの部品「{part.filename[:80]}」が大きすぎます(展開後 {_mb(part.file_size)}、"
                        f"上限 {_mb(limits.part_bytes)})。"
                    )
            total = sum(part.file_size for part in parts)
            if total > limits.unpacked_bytes:
                raise SpreadsheetRefused(
                    f"xlsxファイルの展開後の大きさが上限を超えています(展開後 {_mb(total)}、"
                    f"上限 {_mb(limits.unpacked_bytes)})。ファイルを分けてください。"
                )
            # zipfile stops at each part's declared size, so this reads at most ``total`` bytes.
            for part in parts:
                _scan_part(archive, part, limits)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        ValueError,
        NotImplementedError,
        EOFError,
        OSError,
    ) as exc:
        raise SpreadsheetRefused(NOT_XLSX) from exc


_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
ROWS_REFUSED = (
    "行数が多すぎます(最大{rows:,}行。書式だけの空の行を含めると{all_rows:,}行まで)。"
    "ファイルを分けるか、不要な行を削除してください。"
)
CELLS_REFUSED = "セルの数が多すぎます(最大{cells:,}個)。ファイルを分けてください。"
STRINGS_REFUSED = "xlsxファイルの文字列の種類が多すぎます(最大{strings:,}種類)。ファイルを分けてください。"
DTD_REFUSED = (
    "xlsxファイルに使えない指定(XMLの文書型宣言・実体宣言)が含まれています。Excelで開いて保存し直してください。"
)


def _scan_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: Limits) -> None:
    """Stream one part: no DTD anywhere, no UTF-16 (which would hide one from the scan), and no
    more rows, cells or distinct strings than the limits allow, counted here at C speed before
    openpyxl parses at Python speed (it also reads a whole sheet that lacks a size claim before
    giving its first row, and holds the whole string table)."""
    name = part.filename
    counters = []
    if name.startswith("xl/worksheets/"):
        counters = [
            (_ROW_TAG, 2 * limits.rows + 1, ROWS_REFUSED.format(rows=limits.rows, all_rows=2 * limits.rows)),
            (_CELL_TAG, limits.cells, CELLS_REFUSED.format(cells=limits.cells)),
        ]
    elif name.rsplit("/", 1)[-1].lower() == "sharedstrings.xml":
        counters = [(_STRING_TAG, limits.strings, STRINGS_REFUSED.format(strings=limits.strings))]
    counts = [0] * len(counters)
    with archive.open(part) as stream:
        head = stream.read(4)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
            raise SpreadsheetRefused(
                "xlsxファイルの文字コードが正しくありません(UTF-8で保存されたファイルのみ読み込めます)。"
            )
        carry = head
        while True:
            chunk = stream.read(MB)
            window = carry + chunk
            # A tag never contains "<": everything before the last one is whole tags.
            cut = window.rfind(b"<") if chunk else len(window)
            done, carry = window[: max(cut, 0)], window[max(cut, 0) :]
            if any(mark in done for mark in _DTD_MARKS):
                raise SpreadsheetRefused(DTD_REFUSED)
            for index, (tag, most, refusal) in enumerate(counters):
                counts[index] += len(tag.findall(done))
                if counts[index] > most:
                    raise SpreadsheetRefused(refusal)
            if not chunk:
                return
            if len(carry) > MB:  # a "<" followed by a megabyte of text: no tag is that long
                carry = carry[-len(_DTD_MARKS[0]) :]


def _xlsx_rows(data: bytes, limits: Limits) -> list[Sequence]:
    from openpyxl import load_workbook

    _check_parts(data, limits)
    rows = _Rows(limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SpreadsheetRefused:
        raise
    except Exception as exc:  # any failure to parse untrusted bytes means the file is unreadable
        logger.info("xlsx refused while opening: %r", exc)
        raise SpreadsheetRefused(_reason(exc)) from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetRefused("xlsxファイルにワークシートがありません。")
        sheet = workbook.worksheets[0]
        # The sheet's own size claim is not trusted: rows come as they are stored.
        sheet.reset_dimensions()
        return rows.read(sheet.iter_rows(values_only=True))
    except SpreadsheetRefused:
        raise
    except Exception as exc:
        logger.info("xlsx refused at row %s: %r", len(rows.rows) + 1, exc)
        raise SpreadsheetRefused(_reason(exc, line=len(rows.rows) + 1)) from exc
    finally:
        workbook.close()


def _reason(exc: Exception, line: int | None = None) -> str:
    if isinstance(exc, zipfile.BadZipFile | EOFError | KeyError) or line is None:
        return BROKEN
    return f"xlsxファイルの{line}行目付近が壊れているため読み込めません。Excelで開けるか確認し、保存し直してください。"


# Writing --------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def formula_safe(value):
    """The cell as text a spreadsheet shows rather than evaluates (CSV)."""
    if isinstance(value, str) and value[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def without_formula_guard(text: str) -> str:
    """Undo ``formula_safe`` on a cell read back from one of our CSV files."""
    if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Stream ``rows`` under ``header`` as a CSV attachment: UTF-8 with a BOM (or Excel guesses Shift_JIS)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([formula_safe(cell) for cell in header])
        for row in rows:
            yield writer.writerow([formula_safe(cell) for cell in row])

    return _attachment(StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8"), filename)


def _defuse(cell) -> None:
    """Text stays text: never stored as a formula, and Excel keeps it text when the cell is edited."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value[:1] in FORMULA_TRIGGERS:
            cell.quotePrefix = True


def xlsx_response(workbook, filename: str) -> HttpResponse:
    """A finished (styled) workbook as an attachment, every cell of every sheet defused first."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                _defuse(cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX), filename)


def xlsx_table_response(filename: str, title: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    """A plain table (one header row) as an xlsx attachment, written row by row for large exports."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)

    def cells(values):
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            _defuse(cell)
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX), filename)
