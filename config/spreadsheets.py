"""CSV downloads that Excel in Japan opens correctly and safely.

Every CSV the site serves goes through ``csv_response``: UTF-8 with a BOM (or
Excel guesses Shift_JIS) and text that a spreadsheet would run as a formula
defused with a leading apostrophe (OWASP "CSV injection"). Free text comes from
experts, companies and survey respondents, so any cell may be hostile.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """The cell as text a spreadsheet shows rather than evaluates."""
    if isinstance(value, str) and value[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def without_formula_guard(text: str) -> str:
    """Undo ``formula_safe`` on a cell read back from one of our CSV files."""
    if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS:
        return text[1:]
    return text


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Stream ``rows`` under ``header`` as a CSV attachment named ``filename``."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([formula_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
