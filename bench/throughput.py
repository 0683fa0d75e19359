"""Throughput of the list page under gunicorn (2 workers) against a static
WSGI responder serving the same bytes, side by side in one run.

    .venv/bin/python bench/throughput.py            # PostgreSQL database bench_shienlist, 25,000 experts
    .venv/bin/python bench/throughput.py --sqlite

Uses wrk when installed (apt-get install wrk), else a small threaded client.
Prints requests/second for both and their ratio (target ≥ 0.5).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PATH = "/supporters/?region=kanto&industry=finance"
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
}


def prepare(database_url: str, size: int) -> None:
    env = {**os.environ, **ENV, "DATABASE_URL": database_url}
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    path = RESULTS / f"throughput-{size}.csv"
    script = (
        "import csv; from supporters.demo import build_rows; "
        f"csv.writer(open({str(path)!r}, 'w', newline='', encoding='utf-8')).writerows(build_rows({size}, seed=25000))"
    )
    subprocess.run([*manage, "shell", "-c", script], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "import_supporters", str(path)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_gunicorn(app: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", app, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except Exception:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn on {port} did not start")


def load_with_wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def load_with_threads(url: str, seconds: int, connections: int) -> float:
    host, port = "127.0.0.1", int(url.split(":")[2].split("/")[0])
    path = "/" + url.split("/", 3)[3]
    deadline = time.monotonic() + seconds
    counts = [0] * connections

    def worker(i):
        conn = http.client.HTTPConnection(host, port, timeout=10)
        while time.monotonic() < deadline:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--size", type=int, default=25_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--skip-prepare", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.sqlite:
        database_url = f"sqlite:///{RESULTS / 'throughput.sqlite3'}"
        if not args.skip_prepare:
            (RESULTS / "throughput.sqlite3").unlink(missing_ok=True)
    else:
        database_url = "postgres://postgres@127.0.0.1:5432/bench_shienlist"
        if not args.skip_prepare:
            for sql in ("DROP DATABASE IF EXISTS bench_shienlist", "CREATE DATABASE bench_shienlist"):
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True)
    if not args.skip_prepare:
        prepare(database_url, args.size)

    env = {**ENV, "DATABASE_URL": database_url}
    load = load_with_wrk if shutil.which("wrk") else load_with_threads
    app = start_gunicorn("config.wsgi:application", 8101, env)
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:8101{PATH}").read()
        (RESULTS / "page.html").write_bytes(body)
        load(f"http://127.0.0.1:8101{PATH}", 2, args.connections)  # warm-up
        app_rps = load(f"http://127.0.0.1:8101{PATH}", args.seconds, args.connections)
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait()

    static = start_gunicorn("bench.static_app:application", 8102, {"STATIC_BODY_FILE": str(RESULTS / "page.html")})
    try:
        load(f"http://127.0.0.1:8102{PATH}", 2, args.connections)
        static_rps = load(f"http://127.0.0.1:8102{PATH}", args.seconds, args.connections)
    finally:
        static.send_signal(signal.SIGTERM)
        static.wait()

    engine = "SQLite" if args.sqlite else "PostgreSQL with LISTEN/NOTIFY"
    if os.environ.get("REDIS_URL"):
        engine += ", Redis cache"
    print(
        f"\n== throughput, gunicorn 2 workers, {args.connections} connections, {args.seconds}s, {engine}, {len(body):,} bytes/page, client: {load.__name__}"
    )
    print(f"list page      {app_rps:10.1f} req/s")
    print(f"static bytes   {static_rps:10.1f} req/s")
    print(f"ratio          {app_rps / static_rps:10.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
