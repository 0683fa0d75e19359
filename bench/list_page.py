"""Benchmark: the public list with 25,000 experts, on SQLite and PostgreSQL.

    .venv/bin/python bench/list_page.py                 # SQLite (a fresh file in bench/results/)
    .venv/bin/python bench/list_page.py --postgres      # PostgreSQL on 127.0.0.1 (database bench_shienlist)

Builds 25,000 experts in the import format (more than all 22,845 registered
specialists), times ``import_supporters`` on them, then prints p50/p95 server
time and the SQL query count of the list page for filter combinations, the
time to build the list's index after a change (supporters/index.py), and the
server time of the tail: 3,000 distinct filter URLs (bench/tail_urls.py),
each requested once, so every one is a miss of the whole-page cache.
It then adds assessments, seminar events and referral cases in proportion to
the experts (bench/app_pages.py states the ratios) and prints the same figures
for the other apps' pages, staff and admin pages included.
Figures go to docs/performance.md; this is not a test (only the other apps'
pages are asserted to answer 200).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

COMBINATIONS = [
    ("no filter", ""),
    ("region=kanto", "region=kanto"),
    ("region=kinki&region=tokai", "region=kinki&region=tokai"),
    ("industry=finance", "industry=finance"),
    ("region+industry+theme", "region=kinki&industry=manufacturing-other&theme=policy"),
    ("theme+form+period", "theme=assessment&form=remote&period=spot"),
    ("fee+first_free", "fee=free&fee=under-10k&first_free=1"),
    ("q=大阪 (2 chars)", "q=大阪"),
    ("q=監査 (2 chars)", "q=監査"),
    ("q=two words", "q=クラウド 規程"),
    ("prefecture=kyoto", "prefecture=kyoto"),
    ("q=京都 (a place)", "q=京都"),
    ("nobody found (widenings)", "prefecture=okinawa&industry=defense&theme=assessment&fee=free&first_free=1&q=監査"),
    ("q+region+sort", "q=セキュリティ&region=kanto&sort=-cases"),
    ("sort=-updated page 50", "sort=-updated&page=50"),
    ("export.csv region=okinawa", "EXPORT:region=okinawa"),
]


def prepare_database(postgres: bool) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    if postgres:
        name = "bench_shienlist"
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        path = RESULTS / "bench.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production settings (cached templates, no debug bookkeeping), plain HTTP.
    os.environ.update(
        DEBUG="0", SECRET_KEY="bench-only-secret-key-" + "x" * 40, ALLOWED_HOSTS="localhost", SECURE_SSL_REDIRECT="0"
    )


def get(client, url: str):
    """One request, its body read to the end (exports stream)."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def cold_timings(client, url: str, repeat: int) -> tuple[list[float], int]:
    """Server times (ms) of ``repeat`` requests with the page cache emptied
    before each, after two that fill the database's own caches, and the SQL
    query count of one such request. Every answer must be 200."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for i in range(repeat + 2):
        caches["pages"].clear()
        caches["fragments"].clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = get(client, url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i >= 2:
            timings.append(elapsed)
    return timings, len(queries.captured_queries)


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure_tail(client, engine: str, count: int = 3_000) -> None:
    """Server time of ``count`` distinct filter URLs, each requested once."""
    from django.core.cache import caches
    from django.utils import timezone

    from bench.tail_urls import distinct_list_urls
    from supporters import index
    from supporters.cache import directory_version

    builds = []
    for _ in range(5):
        started = time.perf_counter()
        index.DirectoryIndex(timezone.localdate())
        builds.append((time.perf_counter() - started) * 1000)
    caches["pages"].clear()
    caches["fragments"].clear()
    index.index_for(directory_version())
    timings = []
    for url in distinct_list_urls(count):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    print(
        f"\n== {engine}: index of the list rebuilt after a change: {statistics.median(builds):.0f} ms (p50 of 5)\n"
        f"tail: {count:,} distinct filter URLs, each once (whole-page misses; rows, widgets and index kept in memory)\n"
        f"{'server time':32} {'p50':>8} {'p95':>8} {'max':>8}   target p95 <= 15 ms\n"
        f"{'list page, distinct filters':32} {statistics.median(timings):8.1f} {percentile(timings, 0.95):8.1f} "
        f"{max(timings):8.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--size", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    prepare_database(args.postgres)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    connection.force_debug_cursor = True  # count queries with DEBUG off

    from django.http import QueryDict

    from bench.import_files import write_import_files
    from supporters.demo import build_rows
    from supporters.filters import SupporterFilter
    from supporters.models import Supporter

    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    call_command("collectstatic", "--noinput", verbosity=0)
    engine = connection.vendor
    rows = build_rows(args.size, seed=25000)
    files = write_import_files(rows, RESULTS / f"bench-{args.size}")
    pr = rows[0].index("自己PR")
    changed = [rows[0]] + [[*r[:pr], r[pr] + "(更新)", *r[pr + 1 :]] for r in rows[1:]]
    changed_files = write_import_files(changed, RESULTS / f"bench-{args.size}-changed")
    timings_import = []
    # All new rows; the same files again (nothing to write); every row changed.
    for paths in (files, files, changed_files):
        started = time.perf_counter()
        for path in paths:
            call_command("import_supporters", str(path), verbosity=0, stdout=io.StringIO())
        timings_import.append(time.perf_counter() - started)
    count = Supporter.objects.published().count()

    print(
        f"\n== {engine}: {count:,} published experts; import_supporters of {args.size:,} rows: "
        f"{timings_import[0]:.1f} s all new, {timings_import[1]:.1f} s same file again, "
        f"{timings_import[2]:.1f} s every row changed\n"
    )
    print("cold = rendered (page cache emptied before each request); warm = served from the page cache")
    print(f"{'combination':32} {'results':>8} {'cold p50':>9} {'cold p95':>9} {'queries':>8} {'warm p50':>9}")
    client = Client(HTTP_HOST="localhost")
    for label, query in COMBINATIONS:
        if query.startswith("EXPORT:"):
            url = "/supporters/export.csv?" + query.removeprefix("EXPORT:")
        else:
            url = "/supporters/?" + query
        timings, cold_queries = cold_timings(client, url, args.repeat)
        warm = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            get(client, url)
            warm.append((time.perf_counter() - started) * 1000)
        results = SupporterFilter(QueryDict(url.split("?", 1)[1]), queryset=Supporter.objects.published()).qs.count()
        print(
            f"{label:32} {results!s:>8} {statistics.median(timings):9.1f} "
            f"{percentile(timings, 0.95):9.1f} {cold_queries:8d} {statistics.median(warm):9.1f}"
        )

    measure_tail(client, engine)

    from bench.app_pages import build_proportional_data, measure_app_pages

    started = time.perf_counter()
    built = build_proportional_data(args.size)
    print(
        f"\n== {engine}: data of the other apps for {args.size:,} experts, built in {time.perf_counter() - started:.1f} s"
    )
    print(", ".join(f"{name} {value:,}" for name, value in built["counts"].items()))
    measure_app_pages(lambda: Client(HTTP_HOST="localhost"), args.repeat)


if __name__ == "__main__":
    main()
