"""Settings for the test suite: the site's own, plus an N+1 guard.

django-zeal raises ``NPlusOneError`` when a view (templates included) loads
the same relation lazily for several objects, so every page the tests
request proves it prefetches what it shows (docs/decisions/0510).
"""

from .settings import *  # noqa: F403
from .settings import CACHES, INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]
# Innermost, so that it covers the view and the rendering of its template.
MIDDLEWARE = [*MIDDLEWARE, "zeal.middleware.zeal_middleware"]
ZEAL_RAISE = True
# Django's own auth views and session handling read the user and the session
# row more than once in a request (login, logout, password reset): not ours to
# prefetch, and never a per-object loop.
ZEAL_ALLOWLIST = [
    {"model": "auth.User", "field": "get()"},
    {"model": "sessions.Session", "field": "get()"},
]

# The page cache runs as in production (the environment's DEBUG would turn it off).
PAGE_CACHE = True

# Rate-limit counters in this process's memory, emptied before each test
# (tests/conftest.py); the shared cache would carry them from test to test.
CACHES = {**CACHES, "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}}
RATELIMIT_USE_CACHE = "ratelimit"

# Tests deliver the outbox themselves (tests/mailbox.py), as the worker would.
MAIL_SEND_AFTER_COMMIT = False
