"""Are cached pages ever stale after a write? Measured across processes.

    .venv/bin/python bench/freshness.py            # after bench/throughput.py built bench_shienlist
    .venv/bin/python bench/freshness.py --rounds 500
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/freshness.py   # the version in Redis

gunicorn (2 workers, page cache as in production: the directory version in
the database's cache table, or in Redis when REDIS_URL is set) serves the
list page; this process, like an admin approval or an import in another
container, renames the first entry on that page and commits, then at once
requests the page from both workers (keep-alive is off, so gunicorn's workers
take turns) and checks that the new name is there, while wrk (when
installed) keeps both workers busy with other cached pages. Prints the number
of stale answers (the goal is 0).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throughput import ENV, start_gunicorn  # noqa: E402

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_shienlist"
PORT = 8103
PATH = "/supporters/"


def fetch() -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{PATH}", timeout=10) as response:
        return response.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--reads", type=int, default=4, help="requests right after each write")
    args = parser.parse_args()

    os.environ.update({**ENV, "DATABASE_URL": DATABASE_URL})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from supporters.models import Supporter

    first = Supporter.objects.published().order_by("registration_no").first()
    original = first.name
    server = start_gunicorn("config.wsgi:application", PORT, {**ENV, "DATABASE_URL": DATABASE_URL})
    stale = 0
    write_ms = []
    background = None
    if shutil.which("wrk"):
        background = subprocess.Popen(
            ["wrk", "-t1", "-c8", "-d1h", f"http://127.0.0.1:{PORT}/supporters/?region=kanto"],
            stdout=subprocess.PIPE,
            text=True,
        )
    try:
        for _ in range(args.reads * 4):
            fetch()  # both workers hold the page in memory now
        for _ in range(args.rounds):
            token = "鮮度" + uuid.uuid4().hex[:8]
            started = time.perf_counter()
            Supporter.objects.filter(pk=first.pk).update(name=token)  # commits, then publishes a new version
            write_ms.append((time.perf_counter() - started) * 1000)
            stale += sum(token not in fetch() for _ in range(args.reads))
            for _ in range(args.reads):
                fetch()  # cached again under the new version
    finally:
        if background is not None:
            background.send_signal(signal.SIGINT)  # wrk prints its summary and exits
            load = background.communicate()[0]
        Supporter.objects.filter(pk=first.pk).update(name=original)
        server.send_signal(signal.SIGTERM)
        server.wait()

    print(
        f"\n== freshness, gunicorn 2 workers, version in {'Redis' if os.environ.get('REDIS_URL') else 'the database'}, "
        f"{args.rounds} writes, {args.reads} reads right after each"
    )
    print(f"reads after a write      {args.rounds * args.reads:8d}")
    print(f"stale answers            {stale:8d}  (goal 0)")
    print(f"write + publish p50      {statistics.median(write_ms):8.1f} ms")
    if background is not None:
        rate = next((line.split()[-1] for line in load.splitlines() if line.startswith("Requests/sec")), "?")
        print(f"background load (wrk)    {rate:>8} req/s of other cached pages meanwhile")


if __name__ == "__main__":
    main()
