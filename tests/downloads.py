"""Reading what the site offers for download, as a spreadsheet user would."""

import csv
import io


def body(response) -> bytes:
    """The whole body, streamed or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def text(response) -> str:
    """The body as text; CSV downloads start with a BOM for Excel, which this drops."""
    return body(response).decode("utf-8-sig")


def csv_rows(response) -> list[list[str]]:
    """The rows of a CSV download, which must start with the BOM Excel in Japan needs to read UTF-8."""
    raw = body(response)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
