"""Hostile spreadsheets: how long the reader takes to refuse each, and how much memory it needs.

    .venv/bin/python bench/hostile_files.py

Each file of the corpus (tests/security/hostile_files.py) is built and read in
its own fresh process; prints the file size, the seconds to the answer, the
process's peak memory (Django included, about 55 MB) and the answer. The goal:
every file answered in seconds, well under 300 MB. tests/security/
test_hostile_spreadsheets.py asserts the memory bound; the times are here.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.security.hostile_files import corpus, measure  # noqa: E402


def main() -> None:
    print(f"{'file':26} {'size':>9} {'seconds':>8} {'peak MB':>8}  answer")
    for name, _, _ in corpus():
        (result,) = measure([name])
        answer = result["answer"] or "(read: nothing to refuse)"
        print(
            f"{name:26} {result['size'] / 1024:>7,.0f}KB {result['seconds']:>8.2f} {result['peak_mb']:>8.0f}  {answer[:60]}"
        )


if __name__ == "__main__":
    main()
