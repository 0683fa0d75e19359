"""Rate limits for forms that anyone can post (login, contact, applications, surveys).

django-ratelimit counts in the shared cache (database or Redis), so the limit
holds across processes and containers. Over the limit, the visitor gets a
Japanese 429 page instead of the form being processed.
"""

from functools import wraps

from django.shortcuts import render
from django_ratelimit.core import is_ratelimited


def limit(group: str, *, rate: str, key: str = "ip", method: str = "POST"):
    """Refuse more than ``rate`` POSTs per client IP (or other key) in ``group``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if is_ratelimited(request, group=group, key=key, rate=rate, method=method, increment=True):
                return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
