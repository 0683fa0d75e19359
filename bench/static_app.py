"""A WSGI app that answers every request with the same stored bytes.

The yardstick for bench/throughput.py: the fastest any WSGI app can serve a
page of this size under the same gunicorn set-up.
"""

import os
from pathlib import Path

BODY = Path(os.environ["STATIC_BODY_FILE"]).read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
