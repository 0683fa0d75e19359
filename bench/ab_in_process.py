"""Two checkouts' list pages side by side: CPU time per tail page, measured in turns.

    .venv/bin/python bench/ab_in_process.py /tmp/old .     # the database of bench/throughput.py --sqlite

On a shared machine the speed moves by a fifth within a minute, more than
most changes to the code: two runs of bench/tail_in_process.py a minute
apart can rank the same two versions either way. This starts one process per
checkout (each as a gunicorn worker starts, then 1,000 distinct searches),
and has them serve batches of 100 other distinct searches (bench/tail_urls.py)
in turns, A B B A A B..., 40 batches each, each batch timed by the CPU time of
its own process. A change of speed then falls on both alike. Prints each
checkout's CPU milliseconds per page and the second's ratio to the first.

Each checkout needs its own collected static files (``manage.py
collectstatic``, as bench/tail_in_process.py says) and uses its own
``.venv``; ``git worktree add /tmp/old <commit>`` makes one, and a symbolic
link to this checkout's ``.venv`` and ``bench/results`` serves it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

BATCH = 100
BATCHES = 40


def serve() -> None:
    """One checkout's process: start, then time each batch it is asked for."""
    sys.path.insert(0, str(Path.cwd()))
    from types import SimpleNamespace

    import bench.tail_in_process as tail
    from bench.tail_urls import distinct_list_urls
    from config.gunicorn import post_worker_init

    post_worker_init(SimpleNamespace(wsgi=tail.application))
    for path in distinct_list_urls(1_000, seed=15):
        tail.get(path)
    urls = iter(distinct_list_urls(BATCH * BATCHES, seed=16))
    print("ready", flush=True)
    for line in sys.stdin:
        started = time.process_time()
        for _ in range(int(line)):
            tail.get(next(urls))
        print(time.process_time() - started, flush=True)


def main(checkouts: list[str]) -> None:
    processes = []
    for checkout in checkouts:
        root = Path(checkout).resolve()
        process = subprocess.Popen(
            [str(root / ".venv" / "bin" / "python"), str(Path(__file__).resolve()), "--serve"],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if process.stdout.readline().strip() != "ready":
            raise SystemExit(f"{checkout} did not start")
        processes.append(process)
    seconds = [0.0, 0.0]
    for turn in range(BATCHES):
        for i in (0, 1) if turn % 2 == 0 else (1, 0):  # A B, then B A: neither always goes first
            processes[i].stdin.write(f"{BATCH}\n")
            processes[i].stdin.flush()
            seconds[i] += float(processes[i].stdout.readline())
    for process in processes:
        process.stdin.close()
        process.wait()
    pages = BATCH * BATCHES
    first, second = (1000 * s / pages for s in seconds)
    print(f"\n== CPU ms per tail page, {pages:,} distinct searches each, in turns of {BATCH}")
    print(f"{checkouts[0]}: {first:.3f}   {checkouts[1]}: {second:.3f}   ratio {second / first:.3f}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    elif len(sys.argv) == 3:
        main(sys.argv[1:])
    else:
        raise SystemExit(__doc__)
