"""The list page's tail in one process, through the WSGI application (no client, no server).

    .venv/bin/python bench/tail_in_process.py                 # the database of bench/throughput.py --sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_shienlist .venv/bin/python bench/tail_in_process.py

Run it from another checkout (``git worktree add /tmp/old <commit>``, then
``collectstatic`` there) against the same database to compare two versions
side by side. Prints, with production settings (``DEBUG=0``):

- tail: 1,000 distinct filter URLs (bench/tail_urls.py), each once, after
  a worker's start (config/gunicorn.py) and 1,000 others;
- kept rows: the same 1,000 URLs again with only the whole pages forgotten
  (every row and filter part kept);
- nobody found: a search that finds nobody (its wider searches are counted);
- a page-cache hit and /healthz, per request.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parent / 'results' / 'throughput.sqlite3'}")

from django.core.cache import caches  # noqa: E402

from bench.tail_urls import distinct_list_urls  # noqa: E402
from config.gunicorn import post_worker_init  # noqa: E402
from config.wsgi import application  # noqa: E402

NOBODY = (
    "/supporters/?region=tohoku&industry=manufacturing-other&theme=incident-response&period=3-6-months"
    "&fee=30k-40k&first_free=1&fresh=1&q=%E8%A3%BD%E9%80%A0&sort=cases"
)
POPULAR = "/supporters/?region=kanto&industry=finance"


def get(path: str) -> bytes:
    """One GET through the WSGI application; the answer must be 200."""
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SCRIPT_NAME": "",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    status = []
    body = application(environ, lambda line, headers, exc_info=None: status.append(line))
    content = b"".join(body)
    if hasattr(body, "close"):  # a page-cache hit answered before Django is a plain list (supporters/front.py)
        body.close()
    assert status[0].startswith("200"), (status, path)
    return content


def timed(paths: list[str]) -> list[float]:
    timings = []
    for path in paths:
        started = time.perf_counter()
        get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def line(label: str, timings: list[float]) -> str:
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return f"{label:34} {statistics.median(timings):7.2f} {p95:7.2f} {timings[-1]:7.1f}"


def main() -> None:
    # Started as a gunicorn worker is (config/gunicorn.py): the warm-up pages
    # and tasks (the index, the entries' stored markup), then gc.freeze().
    post_worker_init(SimpleNamespace(wsgi=application))
    for path in distinct_list_urls(1_000, seed=15):
        get(path)
    urls = distinct_list_urls(1_000, seed=16)
    print(f"\n== in one process, {ROOT.name}: server time in ms")
    print(f"{'':34} {'p50':>7} {'p95':>7} {'max':>7}")
    print(line("tail, 1,000 distinct URLs", timed(urls)))
    caches["pages"].clear()
    print(line("the same, rows and filters kept", timed(urls)))
    assert "見つかりませんでした".encode() in get(NOBODY)
    nobody = []
    for _ in range(10):
        caches["pages"].clear()
        nobody += timed([NOBODY])
    print(line("a search that finds nobody", sorted(nobody)))
    get(POPULAR)
    hits = [timed([POPULAR] * 1_000)[500], timed(["/healthz"] * 1_000)[500]]
    print(f"page-cache hit p50 {hits[0]:.3f} ms, /healthz p50 {hits[1]:.3f} ms")


if __name__ == "__main__":
    main()
