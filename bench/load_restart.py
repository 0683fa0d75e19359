"""Load test with a PostgreSQL restart in the middle (127.0.0.1 only).

    make load-test          # = .venv/bin/python bench/load_restart.py

Starts the site under gunicorn (2 workers) on a fresh PostgreSQL database
with the demo data, sends mixed traffic from several threads for a few
minutes (list pages with filters, 個票, exports, help, writes through the
public forms), restarts PostgreSQL half-way, and reports per phase: requests,
failures, the time until the site answered again, failures after recovery
(must be 0), and whether every write acknowledged before the restart is still
there (no data lost). Meanwhile a probe renames an expert twice a second and
at once checks that the cached list page shows the new name: the page cache
must never be stale, through the restart too (its LISTEN connection breaks).
Needs root (pg_ctlcluster) and is not part of CI.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = 8103
DB = "load_shienlist"
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "load-test-only-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "RATELIMIT_ENABLE": "0",  # one client address sends everything here
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",  # no mail server here
    "LOG_LEVEL": "WARNING",
}
READS = [
    "/",
    "/help/",
    "/supporters/",
    "/supporters/?region=kanto",
    "/supporters/?region=kinki&industry=finance&sort=-cases",
    "/supporters/?q=%E5%A4%A7%E9%98%AA",
    "/supporters/?theme=assessment&form=remote&page=2",
    "/supporters/export.json?region=okinawa",
    "/healthz",
]


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True)


def manage(*args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env={**os.environ, **ENV}, check=True, stdout=subprocess.DEVNULL
    )


def postgres_cluster() -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.events: list[tuple[float, bool, str]] = []
        self.acknowledged_writes: list[str] = []

    def record(self, ok: bool, what: str) -> None:
        with self.lock:
            self.events.append((time.monotonic(), ok, what))


def request(method: str, path: str, body: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def write_action(rng: random.Random) -> tuple[bool, str | None]:
    """One write through a public form; returns (ok, marker to check later)."""
    marker = f"load-{rng.getrandbits(48):012x}@example.jp"
    for path, fields in WRITE_FORMS:
        status, body = request("GET", path)
        if status != 200:
            return False, None
        token = body.decode().split('name="csrfmiddlewaretoken" value="', 1)
        if len(token) < 2:
            return False, None
        token = token[1].split('"', 1)[0]
        data = {**fields(marker), "csrfmiddlewaretoken": token}
        status, _ = request(
            "POST",
            path,
            urllib.parse.urlencode(data),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={token}",
                "Referer": f"http://127.0.0.1:{PORT}{path}",
            },
        )
        return status in (200, 302), marker
    return True, None


# Public forms that store something: (path, fields for a unique marker e-mail).
# A seminar application: the demo's upcoming webinar has room for them all
# (waiting-list entries are stored too).
WRITE_FORMS: list = [
    (
        "/seminars/seminar-next/apply/",
        lambda marker: {
            "name": "負荷 試験",
            "name_kana": "フカ シケン",
            "email": marker,
            "organization": "負荷試験",
            "consent": "on",
        },
    ),
]


def worker(stop: threading.Event, stats: Stats, seed: int, write_share: float) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        if WRITE_FORMS and rng.random() < write_share:
            try:
                ok, marker = write_action(rng)
            except OSError:
                ok, marker = False, None
            stats.record(ok, "write")
            if ok and marker:
                with stats.lock:
                    stats.acknowledged_writes.append(marker)
            continue
        path = rng.choice(READS)
        try:
            status, _ = request("GET", path)
            stats.record(status == 200, path)
        except OSError:
            stats.record(False, path)


def freshness_probe(stop: threading.Event, result: dict) -> None:
    """Rename the first expert on /supporters/ and read the page at once."""
    from django.db import DatabaseError, connection

    from supporters.models import Supporter

    first = Supporter.objects.published().order_by("registration_no").first()
    n = 0
    while not stop.wait(0.5):
        n += 1
        token = f"鮮度確認{n:05d}"
        try:
            Supporter.objects.filter(pk=first.pk).update(name=token)  # commits, publishes, notifies
        except DatabaseError:
            connection.close()  # PostgreSQL is restarting; the next round reconnects
            result["writes_refused"] += 1
            continue
        try:
            status, body = request("GET", "/supporters/")
        except OSError:
            continue
        if status == 200:
            result["reads_right_after_a_write"] += 1
            result["stale_pages"] += token not in body.decode()
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--write-share", type=float, default=0.1)
    args = parser.parse_args()

    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    manage("migrate", "-v0")
    manage("createcachetable")
    manage("collectstatic", "--noinput", "-v0")
    manage("load_demo")
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **ENV},
    )
    for _ in range(100):
        try:
            if request("GET", "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)

    stats, stop = Stats(), threading.Event()
    threads = [threading.Thread(target=worker, args=(stop, stats, i, args.write_share)) for i in range(args.threads)]
    freshness = {"reads_right_after_a_write": 0, "stale_pages": 0, "writes_refused": 0}
    threads.append(threading.Thread(target=freshness_probe, args=(stop, freshness)))
    started = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(args.seconds / 3)
    writes_before_restart = list(stats.acknowledged_writes)
    restart_at = time.monotonic()
    subprocess.run([*postgres_cluster(), "restart"], check=True)
    restarted_at = time.monotonic()
    time.sleep(max(0, args.seconds - (time.monotonic() - started)))
    stop.set()
    for t in threads:
        t.join()
    server.send_signal(signal.SIGTERM)
    server.wait()

    events = sorted(stats.events)
    before = [e for e in events if e[0] < restart_at]
    failures_after_restart = [e for e in events if e[0] >= restart_at and not e[1]]
    recovered_at = max((e[0] for e in failures_after_restart), default=restarted_at)
    after = [e for e in events if e[0] > recovered_at]

    # No data lost: every write acknowledged before the restart is in the database.
    lost = []
    if writes_before_restart:
        from bench.load_writes import stored_markers

        stored = stored_markers()
        lost = [m for m in writes_before_restart if m not in stored]

    report = {
        "duration_s": round(events[-1][0] - started, 1) if events else 0,
        "requests_total": len(events),
        "requests_per_s": round(len(events) / max(1, events[-1][0] - started), 1) if events else 0,
        "before_restart": {"requests": len(before), "failures": sum(not e[1] for e in before)},
        "restart_command_s": round(restarted_at - restart_at, 2),
        "failures_while_restarting": len(failures_after_restart),
        "recovered_after_s": round(recovered_at - restart_at, 2),
        "after_recovery": {"requests": len(after), "failures": sum(not e[1] for e in after)},
        "writes_acknowledged_before_restart": len(writes_before_restart),
        "writes_lost": len(lost),
        "page_cache_freshness": freshness,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    ok = report["after_recovery"]["failures"] == 0 and not lost and freshness["stale_pages"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
