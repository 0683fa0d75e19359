"""Benchmark: the public list with 25,000 experts, on SQLite and PostgreSQL.

    .venv/bin/python bench/list_page.py                 # SQLite (a fresh file in bench/results/)
    .venv/bin/python bench/list_page.py --postgres      # PostgreSQL on 127.0.0.1 (database bench_shienlist)

Builds 25,000 experts in the import format (more than all 22,845 registered
specialists), times ``import_supporters`` on them, then prints p50/p95 server
time and the SQL query count of the list page for filter combinations.
Figures go to docs/performance.md; this is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
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
    os.environ.update(DEBUG="0", SECRET_KEY="bench-only-secret-key-" + "x" * 40,
                      ALLOWED_HOSTS="localhost", SECURE_SSL_REDIRECT="0")


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


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
    from django.test.utils import CaptureQueriesContext

    connection.force_debug_cursor = True  # count queries with DEBUG off

    from django.http import QueryDict

    from supporters.demo import build_rows
    from supporters.filters import SupporterFilter
    from supporters.models import Supporter

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    engine = connection.vendor
    csv_path = RESULTS / f"bench-{args.size}.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(build_rows(args.size, seed=25000))

    started = time.perf_counter()
    call_command("import_supporters", str(csv_path), verbosity=0, stdout=open(os.devnull, "w"))
    import_seconds = time.perf_counter() - started
    count = Supporter.objects.published().count()

    print(f"\n== {engine}: {count:,} published experts; import_supporters of {args.size:,} rows: {import_seconds:.1f} s\n")
    print(f"{'combination':32} {'results':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    client = Client(HTTP_HOST="localhost")
    for label, query in COMBINATIONS:
        if query.startswith("EXPORT:"):
            url = "/supporters/export.csv?" + query.removeprefix("EXPORT:")
        else:
            url = "/supporters/?" + query
        timings = []
        for i in range(args.repeat + 2):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if i >= 2:  # the first two warm caches
                timings.append(elapsed)
        results = SupporterFilter(QueryDict(url.split("?", 1)[1]), queryset=Supporter.objects.published()).qs.count()
        print(
            f"{label:32} {results!s:>8} {statistics.median(timings):8.1f} "
            f"{percentile(timings, 0.95):8.1f} {len(queries.captured_queries):8d}"
        )


if __name__ == "__main__":
    main()
