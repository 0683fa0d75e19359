"""The site under gunicorn (2 workers), every figure of issue K side by side in one run.

    .venv/bin/python bench/throughput.py            # PostgreSQL database bench_shienlist, 25,000 experts
    .venv/bin/python bench/throughput.py --sqlite
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/throughput.py --skip-prepare

Prints, from one run:

- static: a WSGI app serving the bytes of the popular list page (the fastest
  any WSGI app can answer under the same gunicorn), and the popular page
  itself served from the page cache: req/s and their ratio (target >= 0.5);
- /healthz and the tail, each with 4 concurrent clients: 3,000 distinct
  filter URLs (bench/tail_urls.py), each requested once, so none is a
  page-cache hit: req/s, p50/p95 latency, and the tail's ratio to /healthz
  (targets: p95 <= 50 ms, ratio >= 0.25). The tail runs twice: right after
  start (rows and filter widgets rendered for the first time) and then over
  3,000 other distinct URLs (the state of a process that has served a while).
  Each run is cut in three parts, each followed by as many /healthz requests:
  the ratio is the median of the three parts' ratios (which follow it),
  each comparing two loads a second or two apart. On a shared machine the
  speed of both moves by a fifth within a minute; three ratios side by side
  show it where one ratio of two loads twenty seconds apart hid it.
- the CPU time the two workers spent per request (from /proc, on Linux): the
  work of a page, which the load on other machines moves less than req/s.

The static and popular figures use wrk (apt-get install wrk) when installed,
else a threaded client; /healthz and the tail always use the same client
(processes, one connection per request, as gunicorn's sync workers close
each), so their ratio compares like with like.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
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
    stem = RESULTS / f"throughput-{size}"
    for old in RESULTS.glob(f"{stem.name}-*.csv"):
        old.unlink()
    script = (
        "from pathlib import Path; from bench.import_files import write_import_files; "
        f"from supporters.demo import build_rows; write_import_files(build_rows({size}, seed=25000), Path({str(stem)!r}))"
    )
    subprocess.run([*manage, "shell", "-c", script], cwd=ROOT, env=env, check=True)
    for path in sorted(RESULTS.glob(f"{stem.name}-*.csv")):
        command = [*manage, "import_supporters", str(path)]
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_gunicorn(app: str, port: int, env: dict, config: tuple[str, ...] = ()) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            *config,
            app,
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
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


def _fetch_all(port: int, paths: list[str]) -> list[tuple[float, int]]:
    """One client: each path once, in order; (latency ms, status) for each."""
    results = []
    for path in paths:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        conn.close()
        results.append(((time.perf_counter() - started) * 1000, response.status))
    return results


def worker_cpu_seconds(master_pid: int) -> float | None:
    """User and system CPU time of the gunicorn master's workers so far (Linux /proc)."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        total = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    except OSError:
        return None
    return total / os.sysconf("SC_CLK_TCK")


def run_clients(port: int, paths: list[str], clients: int, master_pid: int) -> dict:
    """``paths`` shared out among ``clients`` client processes running at once."""
    shares = [paths[i::clients] for i in range(clients)]
    with ProcessPoolExecutor(clients) as pool:
        cpu_before = worker_cpu_seconds(master_pid)
        started = time.perf_counter()
        results = [r for share in pool.map(_fetch_all, [port] * clients, shares) for r in share]
        elapsed = time.perf_counter() - started
        cpu_after = worker_cpu_seconds(master_pid)
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {"results": results, "elapsed": elapsed, "cpu": cpu}


def tail_and_health(port: int, tail: list[str], clients: int, master_pid: int, parts: int = 3) -> tuple[dict, dict]:
    """The tail in ``parts`` parts, each followed by as many /healthz requests."""
    size = -(-len(tail) // parts)
    runs = []
    for start in range(0, len(tail), size):
        chunk = tail[start : start + size]
        runs.append(
            (
                run_clients(port, chunk, clients, master_pid),
                run_clients(port, ["/healthz"] * len(chunk), clients, master_pid),
            )
        )
    tails, healths = zip(*runs, strict=True)
    ratios = [_rps(t) / _rps(h) for t, h in runs]  # in order: the first part is the coldest
    return {**summary(tails), "ratio": statistics.median(ratios), "ratios": ratios}, summary(healths)


def _rps(run: dict) -> float:
    return len(run["results"]) / run["elapsed"]


def summary(runs) -> dict:
    results = [r for run in runs for r in run["results"]]
    latencies = sorted(ms for ms, _ in results)
    cpus = [run["cpu"] for run in runs]
    return {
        "rps": len(results) / sum(run["elapsed"] for run in runs),
        "p50": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))],
        "cpu_ms": None if None in cpus else 1000 * sum(cpus) / len(results),
        "failed": sum(status != 200 for _, status in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--size", type=int, default=25_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--tail", type=int, default=3_000, help="distinct filter URLs")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for /healthz and the tail")
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

    sys.path.insert(0, str(ROOT))
    from bench.tail_urls import distinct_list_urls

    env = {**ENV, "DATABASE_URL": database_url}
    load = load_with_wrk if shutil.which("wrk") else load_with_threads
    # As deployed (Dockerfile): each worker serves its first pages before it takes visitors.
    app = start_gunicorn("config.wsgi:application", 8101, env, ("-c", "config/gunicorn.py"))
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:8101{PATH}").read()
        (RESULTS / "page.html").write_bytes(body)
        first_tail, first_health = tail_and_health(8101, distinct_list_urls(args.tail, seed=15), args.clients, app.pid)
        tail, health = tail_and_health(8101, distinct_list_urls(args.tail, seed=16), args.clients, app.pid)
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

    engine = "SQLite" if args.sqlite else "PostgreSQL"
    engine += ", version in Redis" if os.environ.get("REDIS_URL") else ", version in the database"
    print(f"\n== gunicorn 2 workers, {args.size:,} experts, {engine}, {len(body):,} bytes/page")
    print(f"{'':44} {'clients':>7} {'req/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'ratio':>6}  target")
    print(f"{'static bytes (' + load.__name__ + ')':44} {args.connections:7d} {static_rps:9.1f}")
    print(
        f"{'popular list page (page cache)':44} {args.connections:7d} {app_rps:9.1f} {'':7} {'':7} "
        f"{app_rps / static_rps:6.2f}  >= 0.5 x static"
    )
    runs = (
        ("tail, right after start", first_tail, first_health),
        (f"tail, after serving {args.tail:,} others", tail, health),
    )
    for label, run, beside in runs:
        print(
            f"{'/healthz, beside the next line':44} {args.clients:7d} {beside['rps']:9.1f} {beside['p50']:7.1f} {beside['p95']:7.1f}"
        )
        print(
            f"{label + f' ({args.tail:,} distinct URLs)':44} {args.clients:7d} {run['rps']:9.1f} {run['p50']:7.1f} "
            f"{run['p95']:7.1f} {run['ratio']:6.2f}  >= 0.25 x /healthz, p95 <= 50 ms"
            f"  (parts: {', '.join(f'{r:.2f}' for r in run['ratios'])})"
        )
    if health["cpu_ms"] is not None:
        print(
            f"worker CPU per request: /healthz {health['cpu_ms']:.2f} ms, tail right after start "
            f"{first_tail['cpu_ms']:.2f} ms, tail after others {tail['cpu_ms']:.2f} ms"
        )
    failed = sum(run["failed"] for run in (first_tail, first_health, tail, health))
    if failed:
        print(f"{failed} requests did not answer 200")
        sys.exit(1)


if __name__ == "__main__":
    main()
