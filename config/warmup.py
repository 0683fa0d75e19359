"""Each web process serves its first pages itself before it takes visitors.

The first list page a process draws builds the list's index of every
published entry (0.3-0.4 s at 25,000 entries) and compiles the templates it
uses; without this the first visitors after a start or a deploy wait for
that. gunicorn calls ``warm`` in each worker after it has loaded the
application and before it accepts a connection (``post_worker_init`` in
config/gunicorn.py). The pages are ``settings.WARM_UP_PATHS``, asked for as
an anonymous visitor over HTTPS from the first allowed host; a page that
fails is logged, never a reason for the worker not to start.

Then it runs ``settings.WARM_UP_TASKS``, functions named by dotted path as
``MIDDLEWARE`` names classes (the kernel imports no app), with the site's
path set as for those pages: an app puts what its pages will need into the
process's memory (the directory: each entry's stored markup). A task that
fails is logged the same way.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import time

from django.conf import settings
from django.core.handlers.wsgi import get_script_name
from django.urls import set_script_prefix
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def warm(application) -> None:
    """GET each of ``settings.WARM_UP_PATHS`` through the WSGI ``application``,
    then run each of ``settings.WARM_UP_TASKS``."""
    host = _host()
    for path in settings.WARM_UP_PATHS:
        _timed(path, lambda path=path: _get(application, path, host))
    set_script_prefix(get_script_name(_environ("/", host)))
    for task in settings.WARM_UP_TASKS:
        _timed(task, lambda task=task: import_string(task)())


def _timed(name: str, run) -> None:
    started = time.perf_counter()
    try:
        result = run()
    except Exception:
        logger.exception("warm-up of %s failed", name)
        return
    logger.info("warm-up of %s: %s in %.0f ms", name, result, (time.perf_counter() - started) * 1000)


def _get(application, path: str, host: str) -> str:
    status = []
    body = application(_environ(path, host), lambda line, headers, exc_info=None: status.append(line))
    try:
        for _ in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    return status[0] if status else "no answer"


def _host() -> str:
    # A name the site answers to: the first allowed host that is a name.
    for name in settings.ALLOWED_HOSTS:
        if name != "*":
            return name.lstrip(".")
    return "localhost"


def _environ(path: str, host: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        # The site's path, as gunicorn gives it to every request (its SCRIPT_NAME
        # setting); Django's FORCE_SCRIPT_NAME, if set, wins over both.
        "SCRIPT_NAME": os.environ.get("SCRIPT_NAME", ""),
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
