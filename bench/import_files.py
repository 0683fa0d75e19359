"""The benchmark's experts as import files, each within the upload limits.

An upload may be 10 MB (config/spreadsheets.py); the directory's CSV takes
about 480 bytes per expert, so 25,000 experts come in three files, as staff
would split them ("何回かに分けて取り込めます", says the refusal).
"""

from __future__ import annotations

import csv
from pathlib import Path

PER_FILE = 10_000  # about 4.8 MB of CSV


def write_import_files(rows: list[list[str]], stem: Path) -> list[Path]:
    """Write ``rows`` (a header, then one row per expert) as ``<stem>-1.csv``, ``<stem>-2.csv``, ..."""
    header, body = rows[0], rows[1:]
    paths = []
    for number, start in enumerate(range(0, len(body), PER_FILE), 1):
        path = stem.with_name(f"{stem.name}-{number}.csv")
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *body[start : start + PER_FILE]])
        paths.append(path)
    return paths
