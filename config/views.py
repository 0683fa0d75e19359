import contextlib

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

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


# Pages that are personal, endless (every filter combination of the list) or
# files: crawlers need none of them; the sitemap names what they should read.
ROBOTS_DISALLOW = [
    "/admin/",
    "/accounts/",
    "/assessments/",
    "/referrals/",
    "/supporters/mine/",
    "/supporters/apply/",
    "/supporters/export",
    "/supporters/?",
    "/supporters/*/report/",
    "/seminars/applications/",
    "/seminars/surveys/",
    "/seminars/report/",
]


@grant_access(Role.PUBLIC)
@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    for name in settings.SITEMAP_URL_NAMES:
        with contextlib.suppress(NoReverseMatch):  # an app not mounted: no sitemap to name
            lines.append(f"Sitemap: {request.build_absolute_uri(reverse(name))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@grant_access(Role.PUBLIC)
@require_safe
def favicon(request):
    """Browsers and crawlers that ask for /favicon.ico get the site's icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


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
