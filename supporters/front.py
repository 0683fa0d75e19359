"""Page-cache hits answered before Django's request handling (decision 0890).

A WSGI layer around Django's application (config/wsgi.py, ``WSGI_FRONT``). It
decides nothing about what may be cached, and checks no host or scheme itself:
when ``PublicPageCacheMiddleware`` serves or stores a page for a plain GET, it
marks the answer (``response.replayable``: the directory version and the day
the page was drawn for), and this layer keeps a copy of Django's final answer
as the WSGI server received it (status, every header, the security headers
included, and the body). It replays that copy to a later request that is the
same in everything Django's answer can depend on, while the directory version
(one read, as a hit in the middleware) and the day are still those.

"The same request" is the path, the query reduced to what the page reads (as
the middleware reduces it: ``utm_source`` and the like neither bypass nor
fill), and every part of the request that the HTTPS redirect and the host
check read (``REQUEST_PARTS``). A request that differs in any of them goes to
Django, and so do requests with a session or any cookie but the CSRF token,
conditional requests (Django answers 304 and 412), HEAD, and every other
method. What Django refuses (a redirect to HTTPS, an unknown host: 301, 400)
carries no mark and is never copied.

A hit here skips Django's request object, its signals and the middleware
chain: the page-cache hit that costs what ``/healthz`` costs in Django now
costs what a WSGI app costs (docs/performance.md, "The seventh round").
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import TooManyFieldsSent
from django.core.handlers.wsgi import get_path_info
from django.http import parse_cookie

from config import dates

from . import cache

logger = logging.getLogger(__name__)

# What SecurityMiddleware's redirect, HttpRequest.get_host() (with its
# ALLOWED_HOSTS check) and HttpRequest.scheme read from the request, whatever
# the settings (USE_X_FORWARDED_HOST, SECURE_PROXY_SSL_HEADER) say today.
REQUEST_PARTS = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTO",
)


def wrap(application):
    """config/wsgi.py's hook: the front while the page cache is on, else Django's application as it is."""
    return PageCacheFront(application) if settings.PAGE_CACHE else application


class PageCacheFront:
    def __init__(self, application):
        self.application = application
        proxy_header = settings.SECURE_PROXY_SSL_HEADER
        self.parts = REQUEST_PARTS + ((proxy_header[0],) if proxy_header else ())

    def __call__(self, environ, start_response):
        key = self.key(environ)
        if key is None:
            return self.application(environ, start_response)
        copy = caches["pages"].get(key)
        if copy is not None and self.current(copy):
            start_response(copy.status, list(copy.headers))
            return [copy.body]
        return self.through_django(key, environ, start_response)

    def key(self, environ) -> str | None:
        """The key of a copy for this request, or None if Django must answer it."""
        if environ.get("REQUEST_METHOD") != "GET" or any(header in environ for header in cache.CONDITIONAL):
            return None
        cookies = environ.get("HTTP_COOKIE")
        if cookies and cache.is_personal(parse_cookie(cookies)):
            return None
        view_name = cache.cached_view_of(get_path_info(environ) or "/")  # as WSGIRequest.path_info
        if view_name is None:
            return None
        try:
            query = cache.reduced_query(view_name, environ.get("QUERY_STRING", ""))
        except TooManyFieldsSent:
            return None  # Django refuses it and says why (400, config/views.py)
        return "front:" + cache.fingerprint(*(environ.get(part) for part in self.parts), query)

    @staticmethod
    def current(copy: cache.AnswerCopy) -> bool:
        try:
            version = cache.directory_version()
        except Exception:
            # Whatever the shared store says (a database restarting, Redis
            # gone), Django's handling answers as it would without this layer.
            logger.warning("page-cache front: the directory version could not be read", exc_info=True)
            return False
        return copy.version == version and copy.day == dates.today()

    def through_django(self, key: str, environ, start_response):
        answer = {}

        def keep_answer(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, tuple(headers)
            return start_response(status, headers, exc_info)

        response = self.application(environ, keep_answer)
        mark = getattr(response, "replayable", None)
        if mark is not None and answer:
            version, day = mark
            copy = cache.AnswerCopy(version, day, answer["status"], answer["headers"], response.content)
            caches["pages"].set(key, copy, cache.PAGE_TTL)
        return response
