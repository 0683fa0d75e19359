"""Two hosts behind a reverse proxy, one killed mid-load (127.0.0.1 only).

    make load-test          # = .venv/bin/python bench/load_hosts.py

The topology of docs/deployment.md, rehearsed on one machine:

    clients ──> HAProxy :8110 ──┬──> host A: gunicorn :8111 (2 workers) ──┐
                                └──> host B: gunicorn :8112 (2 workers) ──┤
                                          PgBouncer :6433 (transaction pooling) ──> PostgreSQL
                                          Redis (cache, rate limits, directory version)

HAProxy and PgBouncer are Debian's packages (``apt-get install haproxy
pgbouncer``). The two gunicorn instances share nothing but PostgreSQL
(through PgBouncer) and Redis, as two hosts would. For ``--seconds``:

- client threads send mixed traffic through HAProxy: the list with filters
  and keywords, 個票, help, the JSON export, /healthz, and writes (seminar
  applications through the real form with its CSRF token; the form may come
  from one host and the POST go to the other);
- a probe signs in as staff through host A (password, then the TOTP second
  factor), and twice a second approves a new application there and at once
  reads the list and the new 個票 through host B: the entry must be on both
  (a change made through one host is visible through the other at once);
- half-way, host B is killed (SIGKILL of its master and workers); from then
  on the probe reads through HAProxy.

Reports requests and failures before the kill, at the kill (requests caught
in flight on host B) and after it (must be 0), every write acknowledged
(302) that is not in the database afterwards (must be 0), and stale reads
(must be 0). Exits non-zero otherwise. Not part of CI.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throughput import ENV as BENCH_ENV  # noqa: E402

PYTHON = sys.executable
PROXY, HOST_A, HOST_B, BOUNCER = 8110, 8111, 8112, 6433
DB = os.environ.get("LOAD_DATABASE", "load_shienlist")
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/5")
STAFF = "load-staff@example.invalid"
STAFF_PASSWORD = "load-test-staff-password-1"
ENV = {
    **BENCH_ENV,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:{BOUNCER}/{DB}",
    "DATABASE_TRANSACTION_POOLING": "1",
    "REDIS_URL": REDIS_URL,
    "RATELIMIT_ENABLE": "0",  # one client address sends everything here
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",  # no mail server here
}
READS = [
    "/",
    "/help/",
    "/supporters/",
    "/supporters/?region=kanto",
    "/supporters/?region=kinki&industry=finance&sort=-cases",
    "/supporters/?q=%E5%A4%A7%E9%98%AA",
    "/supporters/?theme=assessment&form=remote&page=2",
    "/supporters/?utm_source=mail&region=tohoku",
    "/supporters/export.json?region=okinawa",
    "/healthz",
]
APPLY = "/seminars/seminar-next/apply/"


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True)


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_pgbouncer(workdir: Path) -> subprocess.Popen:
    """PgBouncer in transaction pooling, run as the postgres user (it refuses root)."""
    config = workdir / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"{DB} = host=127.0.0.1 port=5432 dbname={DB}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {BOUNCER}\n"
        "auth_type = trust\n"
        f"auth_file = {workdir / 'users.txt'}\n"
        "pool_mode = transaction\n"
        "default_pool_size = 10\nmax_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {workdir / 'pgbouncer.log'}\n"
    )
    (workdir / "users.txt").write_text('"postgres" ""\n')
    shutil.chown(workdir, "postgres")
    for path in workdir.iterdir():
        shutil.chown(path, "postgres")
    command = ["pgbouncer", str(config)]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_haproxy(workdir: Path) -> subprocess.Popen:
    config = workdir / "haproxy.cfg"
    config.write_text(
        "global\n  maxconn 512\n"
        "defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n"
        # A request that never reached a host, or got nothing back, is sent
        # to the other one (HAProxy does not replay a POST that a host may
        # have processed).
        "  retries 3\n  option redispatch\n  retry-on conn-failure empty-response\n"
        f"frontend site\n  bind 127.0.0.1:{PROXY}\n  default_backend hosts\n"
        "backend hosts\n  balance roundrobin\n  option httpchk GET /healthz\n  http-check expect status 200\n"
        "  default-server inter 500ms fall 2 rise 2\n"
        f"  server host_a 127.0.0.1:{HOST_A} check\n  server host_b 127.0.0.1:{HOST_B} check\n"
    )
    return subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=subprocess.DEVNULL)


def start_host(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ]
        + ["--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, **ENV},
        start_new_session=True,  # its own process group, so it can be killed whole
    )


def wait_until_up(port: int) -> None:
    for _ in range(150):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on {port}")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.events: list[tuple[float, bool, str]] = []
        self.acknowledged: list[str] = []

    def record(self, ok: bool, what: str) -> None:
        with self.lock:
            self.events.append((time.monotonic(), ok, what))


class BehindTLS(http.cookiejar.DefaultCookiePolicy):
    """TLS ends at the proxy in production; here the client speaks plain HTTP
    and says so with X-Forwarded-Proto, so it returns Secure cookies too."""

    def return_ok_secure(self, cookie, request):
        return True


def browser() -> urllib.request.OpenerDirector:
    """A client with its own cookies that does not follow redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    jar = http.cookiejar.CookieJar(policy=BehindTLS())
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def call(opener, port: int, path: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    # As the TLS-terminating proxy would pass it on; a browser sends Origin with a POST.
    headers = {"X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{port}"}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
    try:
        with opener.open(request, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def write(rng: random.Random) -> tuple[bool, str]:
    """A seminar application through HAProxy: the form, then the POST."""
    opener = browser()
    marker = f"load-{rng.getrandbits(48):012x}@example.jp"
    status, page = call(opener, PROXY, APPLY)
    if status != 200:
        return False, ""
    data = {
        "name": "負荷 試験",
        "name_kana": "フカ シケン",
        "email": marker,
        "organization": "負荷試験",
        "consent": "on",
        "csrfmiddlewaretoken": csrf_token(page),
    }
    status, _ = call(opener, PROXY, APPLY, data)
    return status == 302, marker


def worker(stop: threading.Event, stats: Stats, seed: int, write_share: float) -> None:
    rng = random.Random(seed)
    opener = browser()
    while not stop.is_set():
        try:
            if rng.random() < write_share:
                ok, marker = write(rng)
                stats.record(ok, "write")
                if ok:
                    with stats.lock:
                        stats.acknowledged.append(marker)
                continue
            path = rng.choice(READS)
            stats.record(call(opener, PROXY, path)[0] == 200, path)
        except (OSError, http.client.HTTPException):
            # A host killed mid-answer cuts the body (IncompleteRead): a failed request, not a dead client.
            stats.record(False, "connection")


def staff_session(port: int):
    """Staff signed in through ``port`` with the password and the TOTP code."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    opener = browser()
    status, page = call(opener, port, "/accounts/login/")
    status, _ = call(
        opener,
        port,
        "/accounts/login/",
        {"username": STAFF, "password": STAFF_PASSWORD, "csrfmiddlewaretoken": csrf_token(page)},
    )
    assert status == 302, f"staff login answered {status}"
    device = TOTPDevice.objects.get(user__username=STAFF)
    status, page = call(opener, port, "/accounts/two-factor/verify/")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    status, _ = call(
        opener, port, "/accounts/two-factor/verify/", {"token": code, "csrfmiddlewaretoken": csrf_token(page)}
    )
    assert status == 302, f"second factor answered {status}"
    return opener


def probe(stop: threading.Event, killed: threading.Event, result: dict) -> None:
    try:
        _probe(stop, killed, result)
    except Exception as error:  # reported, and the run fails
        result["probe_error"] = repr(error)


def _probe(stop: threading.Event, killed: threading.Event, result: dict) -> None:
    """Approve a new application through host A; read it at once through host B
    (through HAProxy once B is gone)."""
    from django.db import connection

    from supporters.models import Supporter

    staff = staff_session(HOST_A)
    reader = browser()
    n = 0
    while not stop.wait(0.5):
        n += 1
        name = f"鮮度確認{n:05d}"
        registration_no = f"9{n:05d}"
        if Supporter.objects.filter(registration_no=registration_no).exists():
            continue  # taken by the demo data
        entry = Supporter.objects.create(
            registration_no=registration_no,
            status=Supporter.Status.PENDING,
            name=name,
            regions=["kanto"],
            valid_until=datetime.date.today() + datetime.timedelta(days=700),
        )
        review = f"/admin/supporters/supporter/{entry.pk}/review/"
        try:
            status, page = call(staff, HOST_A, review)
            status, _ = call(
                staff, HOST_A, review, {"action": "approve", "reason": "", "csrfmiddlewaretoken": csrf_token(page)}
            )
        except (OSError, AttributeError):
            result["approvals_failed"] += 1
            continue
        if status != 302:
            result["approvals_failed"] += 1
            continue
        port = PROXY if killed.is_set() else HOST_B
        try:
            listed = call(reader, port, "/supporters/?" + urllib.parse.urlencode({"q": name}))
            detail = call(reader, port, f"/supporters/{registration_no}/")
        except OSError:
            continue
        result["reads_right_after_an_approval"] += 2
        result["stale_reads"] += (name not in listed[1]) + (detail[0] != 200)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--write-share", type=float, default=0.1)
    args = parser.parse_args()
    missing = [tool for tool in ("haproxy", "pgbouncer") if not shutil.which(tool)]
    if missing:
        sys.exit(f"needs {' and '.join(missing)}: apt-get install {' '.join(missing)}")

    workdir = Path(tempfile.mkdtemp(prefix="load-hosts-"))
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    direct = {**os.environ, **ENV, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}"}
    manage("migrate", "-v0", env=direct)
    manage("collectstatic", "--noinput", "-v0", env=direct)
    manage("load_demo", env=direct)
    # This process writes as a one-off job would: straight to PostgreSQL.
    os.environ.update(direct)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    processes = [start_pgbouncer(workdir)]
    time.sleep(1)
    django.setup()
    from tests.factories import make_staff

    staff = make_staff(STAFF)
    staff.username = STAFF
    staff.set_password(STAFF_PASSWORD)
    staff.save()

    host_a, host_b = start_host(HOST_A), start_host(HOST_B)
    processes += [host_a, host_b, start_haproxy(workdir)]
    try:
        for port in (HOST_A, HOST_B, PROXY):
            wait_until_up(port)
        stats, stop, killed = Stats(), threading.Event(), threading.Event()
        freshness = {"reads_right_after_an_approval": 0, "stale_reads": 0, "approvals_failed": 0}
        threads = [
            threading.Thread(target=worker, args=(stop, stats, i, args.write_share)) for i in range(args.threads)
        ]
        threads.append(threading.Thread(target=probe, args=(stop, killed, freshness)))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds / 2)
        kill_at = time.monotonic()
        os.killpg(host_b.pid, signal.SIGKILL)
        host_b.wait()
        killed.set()
        time.sleep(args.seconds / 2)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)

    from django.db import connections

    from bench.load_writes import stored_markers

    stored = stored_markers()
    connections.close_all()
    events = sorted(stats.events)
    before = [e for e in events if e[0] < kill_at]
    # Requests caught on host B when it died; HAProxy takes it out of the
    # rotation after two failed health checks (about a second).
    settle = kill_at + 2.0
    during = [e for e in events if kill_at <= e[0] < settle]
    after = [e for e in events if e[0] >= settle]
    lost = [marker for marker in stats.acknowledged if marker not in stored]
    report = {
        "duration_s": round(events[-1][0] - started, 1) if events else 0,
        "requests_total": len(events),
        "requests_per_s": round(len(events) / max(1, events[-1][0] - started), 1) if events else 0,
        "before_kill": {"requests": len(before), "failures": sum(not e[1] for e in before)},
        "within_2s_of_killing_host_b": {"requests": len(during), "failures": sum(not e[1] for e in during)},
        "after": {"requests": len(after), "failures": sum(not e[1] for e in after)},
        "writes_acknowledged": len(stats.acknowledged),
        "writes_lost": len(lost),
        "change_through_host_a_read_through_host_b": freshness,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    shutil.rmtree(workdir, ignore_errors=True)
    ok = report["after"]["failures"] == 0 and not lost and freshness["stale_reads"] == 0
    ok = ok and report["before_kill"]["failures"] == 0 and freshness["reads_right_after_an_approval"] > 0
    ok = ok and "probe_error" not in freshness
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
