"""A corpus of hostile spreadsheets, built in memory: each is (file name, bytes, what the refusal must say).

Used by tests/security/test_hostile_spreadsheets.py and by bench/hostile_files.py
(time and memory per file). The xlsx files are written part by part, as an
attacker would, not through a library that would refuse to write them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
SHEET_OPEN = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_CLOSE = "</sheetData></worksheet>"
NO_STRINGS = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _write(archive, name, chunks):
    with archive.open(name, "w") as part:
        for chunk in [chunks] if isinstance(chunks, str | bytes) else chunks:
            part.write(chunk.encode() if isinstance(chunk, str) else chunk)


def xlsx(sheet_chunks, *, strings=NO_STRINGS, extra: dict | None = None) -> bytes:
    """An xlsx whose first sheet's XML (and shared strings) are the concatenation of
    chunks, streamed into the archive and never held whole."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _write(archive, "xl/sharedStrings.xml", strings)
        _write(archive, "xl/worksheets/sheet1.xml", sheet_chunks)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def small_sheet() -> list[str]:
    return [SHEET_OPEN, '<row r="1">', cell("A1", "メールアドレス"), "</row>", SHEET_CLOSE]


def rows(count: int, *, per_chunk: int = 10_000):
    yield SHEET_OPEN
    for start in range(1, count + 1, per_chunk):
        yield "".join(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>'
            for n in range(start, min(start + per_chunk, count + 1))
        )
    yield SHEET_CLOSE


def wide_row(cells: int):
    yield SHEET_OPEN + "<row>"
    for start in range(0, cells, 10_000):
        yield '<c t="inlineStr"><is><t>x</t></is></c>' * min(10_000, cells - start)
    yield "</row>" + SHEET_CLOSE


def zip_bomb(unpacked: int):
    """A worksheet of ``unpacked`` bytes, almost all one repeated character: a few hundred KB packed."""
    yield SHEET_OPEN + '<row r="1">' + cell("A1", "x") + "</row><!--"
    block = b"-" * (1024 * 1024)
    for _ in range(unpacked // len(block)):
        yield block
    yield "-->" + SHEET_CLOSE


def billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{"".join(entities)}]>'
        + SHEET_OPEN.split("?>", 1)[1]
        + ('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>' + SHEET_CLOSE)
    )


def external_entity() -> str:
    return (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&xxe;</t></si></sst>"
    )


def tiny_strings(size: int):
    """sharedStrings.xml of about ``size`` bytes of distinct tiny strings: as many objects per byte as possible."""
    yield '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    n = written = 0
    while written < size:
        chunk = "".join(f"<si><t>{k:x}</t></si>" for k in range(n, n + 50_000))
        written += len(chunk)
        n += 50_000
        yield chunk
    yield "</sst>"


def grid(rows: int, columns: int):
    """A sheet full to the brim: every row as wide as allowed."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, columns + 1)]
    yield SHEET_OPEN
    for r in range(1, rows + 1):
        yield f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>{r}</v></c>' for col in letters) + "</row>"
    yield SHEET_CLOSE


def many_parts(count: int) -> bytes:
    extra = {f"xl/media/p{n}.xml": "<a/>" for n in range(count)}
    return xlsx(small_sheet(), extra=extra)


def truncated() -> bytes:
    whole = xlsx(rows(2000))
    return whole[: len(whole) // 2]


def csv_rows(count: int) -> bytes:
    return ("メールアドレス\r\n" + "x\r\n" * count).encode()


def corpus() -> list[tuple[str, Callable[[], bytes], str]]:
    """Every hostile file (built when called) and a fragment its refusal must contain."""
    return [
        ("bomb.xlsx", lambda: xlsx(zip_bomb(300 * 1024 * 1024)), "展開後の大きさが上限"),
        ("truncated.xlsx", truncated, "xlsxファイルとして読み込めません"),
        ("laughs.xlsx", lambda: xlsx([billion_laughs()]), "文書型宣言"),
        ("xxe.xlsx", lambda: xlsx(small_sheet(), strings=external_entity()), "文書型宣言"),
        ("million-rows.xlsx", lambda: xlsx(rows(1_000_000)), "行数が多すぎます(最大30,000行"),
        ("cells.xlsx", lambda: xlsx(grid(10_000, 200)), "セルの数が多すぎます(最大1,500,000個)"),
        ("wide-row.xlsx", lambda: xlsx(wide_row(100_000)), "1行目の列が多すぎます(最大200列)"),
        (
            "far-cell.xlsx",
            lambda: xlsx([SHEET_OPEN, '<row r="1">', cell("A1", "x"), cell("XFD1", "y"), "</row>", SHEET_CLOSE]),
            "列が多すぎます",
        ),
        (
            "beyond-excel.xlsx",
            lambda: xlsx(
                [
                    SHEET_OPEN,
                    '<row r="1">',
                    cell("A1", "x"),
                    '</row><row r="2000000">',
                    cell("A2000000", "y"),
                    "</row>",
                    SHEET_CLOSE,
                ]
            ),
            "1,048,576行目より下",
        ),
        (
            "styles.xlsx",
            lambda: xlsx(small_sheet(), extra={"xl/styles.xml": "<a>" + " " * (31 * 1024 * 1024) + "</a>"}),
            "styles.xml」が大きすぎます",
        ),
        (
            "strings.xlsx",
            lambda: xlsx(small_sheet(), strings=tiny_strings(29 * 1024 * 1024)),
            "文字列の種類が多すぎます(最大500,000種類)",
        ),
        ("strings-at-limit.xlsx", lambda: xlsx(small_sheet(), strings=tiny_strings(8 * 1024 * 1024)), None),
        ("parts.xlsx", lambda: many_parts(600), "部品が500個を超えています"),
        ("not-a-zip.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 2000, "xlsxファイルとして読み込めません"),
        ("broken-xml.xlsx", lambda: xlsx([SHEET_OPEN, '<row r="1"><c r="A1"><v>1</v></c>']), "壊れて"),
        (
            "utf16.xlsx",
            lambda: xlsx([billion_laughs().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>', 1).encode("utf-16")]),
            "文字コード",
        ),
        ("million-rows.csv", lambda: csv_rows(1_000_000), "行数が多すぎます(最大30,000行)"),
        ("wide-row.csv", lambda: ("," * 100_000 + "\r\n").encode(), "1行目の列が多すぎます(最大200列)"),
        ("long-cell.csv", lambda: ("a\r\n" + "x" * 200_000 + "\r\n").encode(), "2行目を読み込めません"),
        ("huge.csv", lambda: b"a," * (6 * 1024 * 1024), "ファイルが大きすぎます"),
        ("xlsx-named.csv", lambda: xlsx(small_sheet()), "拡張子を .xlsx に"),
    ]


def peak_mb() -> float:
    """This process's peak memory. VmHWM, not ru_maxrss: the latter keeps the parent's
    size across fork and exec, so a child of a big test run would report the parent's."""
    import resource
    from pathlib import Path

    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_each(names: list[str]) -> list[dict]:
    """In this process: build and read each named file; seconds, peak memory so far (MB) and the answer."""
    import time

    from config.spreadsheets import SpreadsheetRefused, read_bytes

    builders = {name: (build, expected) for name, build, expected in corpus()}
    results = []
    for name in names:
        build, expected = builders[name]
        data = build()
        started = time.perf_counter()
        try:
            read_bytes(data, name)
            answer = None
        except SpreadsheetRefused as exc:
            answer = str(exc)
        results.append(
            {
                "name": name,
                "size": len(data),
                "seconds": time.perf_counter() - started,
                "peak_mb": peak_mb(),
                "answer": answer,
                "expected": expected,
            }
        )
        del data
    return results


def measure(names: list[str]) -> list[dict]:
    """``read_each`` in a fresh Python process (with Django set up), so the memory is the reader's alone."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import json, sys, django; django.setup(); "
        "from tests.security.hostile_files import read_each; "
        "print(json.dumps(read_each(sys.argv[1:])))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", code, *names], cwd=root, env=env, capture_output=True, text=True, timeout=600, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
