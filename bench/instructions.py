"""Instructions per list page, counted by valgrind (callgrind): a measure that a busy machine does not move.

    .venv/bin/python bench/instructions.py            # the database of bench/throughput.py --sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_shienlist .venv/bin/python bench/instructions.py

A clock on a shared 2-core machine moves by a third between runs of the same
code; the number of instructions a process executes does not (for the same
code, inputs and Python). This runs the WSGI application (as
bench/tail_in_process.py does) twice under ``valgrind --tool=callgrind``:
once to start and serve 100 distinct filter URLs (the index built, their rows
drawn), once doing the same and then the same 100 URLs three times more with
only the whole pages forgotten (every row and filter part kept). The
difference, divided by 300, is the cost of a kept list page. Two more runs
do the same for a page-cache hit: start and serve the popular page once,
then 1,000 times more. And two for a page of the tail in a worker: start as
a gunicorn worker does (config/gunicorn.py: the warm-up pages and tasks),
serve 200 distinct filter URLs, then (or not) 100 others, each for the first
time. Each run takes up to four minutes (valgrind runs Python about 50 times
slower). Run it from
another checkout (``git worktree add``) against the same database to compare
two versions; docs/performance.md quotes it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

URLS = 100
ROUNDS = 3
HITS = 1_000
TAIL_BEFORE = 200


def serve(rounds: int, hits: int, tail_pages: int = -1) -> None:
    """The measured process: start, serve the URLs, then ``rounds`` more times
    from kept parts; or (``hits``) the popular page once, then ``hits`` times
    from the page cache; or (``tail_pages``) start as a worker, serve
    ``TAIL_BEFORE`` distinct URLs, then ``tail_pages`` others."""
    sys.path.insert(0, str(Path.cwd()))
    from django.core.cache import caches

    import bench.tail_in_process as tail  # production settings (DEBUG=0), the bench database
    from bench.tail_urls import distinct_list_urls

    if tail_pages >= 0:
        from config.gunicorn import post_worker_init

        post_worker_init(SimpleNamespace(wsgi=tail.application))
        for path in distinct_list_urls(TAIL_BEFORE, seed=15) + distinct_list_urls(tail_pages, seed=16):
            tail.get(path)
        return
    tail.get("/supporters/")
    if hits >= 0:
        for _ in range(hits + 1):
            tail.get(tail.POPULAR)
        return
    urls = distinct_list_urls(URLS, seed=16)
    for path in urls:
        tail.get(path)
    for _ in range(rounds):
        caches["pages"].clear()
        for path in urls:
            tail.get(path)


def instructions(rounds: int = 0, hits: int = -1, tail_pages: int = -1) -> int:
    result = subprocess.run(
        [
            *("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"),
            *(sys.executable, __file__, str(rounds), str(hits), str(tail_pages)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def main() -> None:
    started = instructions(0)
    kept = (instructions(ROUNDS) - started) / (URLS * ROUNDS)
    hit = (instructions(hits=HITS) - instructions(hits=0)) / HITS
    tail = (instructions(tail_pages=URLS) - instructions(tail_pages=0)) / URLS
    print(f"\n== instructions, {Path.cwd().name}, {os.environ.get('DATABASE_URL', 'SQLite (bench database)')}")
    print(f"start and {URLS} distinct list pages drawn for the first time: {started / 1e9:.2f} G")
    print(f"a list page whose rows and filter parts are kept:            {kept / 1e6:.2f} M")
    print(f"a page-cache hit:                                             {hit / 1e6:.3f} M")
    print(f"a list page nobody asked for before, in a worker ({TAIL_BEFORE} after its start): {tail / 1e6:.2f} M")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        serve(*map(int, sys.argv[1:]))
    else:
        main()
