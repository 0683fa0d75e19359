from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .access import Role, grant_access


@grant_access(Role.PUBLIC)
@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors may touch the database here: it may be the cause.
    return render(request, "500.html", status=500)


def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)


def permission_denied(request, exception=None):
    # The refusal's own explanation (config/access.py); Django's bare
    # PermissionDenied() carries none and the page's general text stands.
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)
