"""gunicorn's settings for the site: ``gunicorn -c config/gunicorn.py config.wsgi:application``
(the Dockerfile, make load-test, bench/throughput.py). Everything else is given on the command line."""


def post_worker_init(worker):
    """Before a worker accepts a connection, it serves its first pages itself (config/warmup.py)."""
    from config.warmup import warm

    warm(worker.wsgi)
