"""gunicorn's settings for the site: ``gunicorn -c config/gunicorn.py config.wsgi:application``
(the Dockerfile, make load-test, bench/throughput.py). Everything else is given on the command line."""

import gc


def post_worker_init(worker):
    """Before a worker accepts a connection, it serves its first pages itself
    (config/warmup.py), then leaves what it holds by then out of the cyclic
    garbage collector's passes."""
    from config.warmup import warm

    warm(worker.wsgi)
    # The modules, the list's index, the compiled templates and the kept
    # markup live as long as the process (about 120,000 objects), and a full
    # collection walked them all: a 100-135 ms pause every few thousand
    # requests, and 40 µs of each request on average (docs/decisions/0920).
    # Garbage is collected first, so that none of it is kept for good; what
    # is frozen is still freed when nothing refers to it (an index replaced
    # after a change, markup pushed out of memory).
    gc.collect()
    gc.freeze()
