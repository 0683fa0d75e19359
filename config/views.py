import contextlib

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
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


def bad_request(request, exception=None):
    """Django's 400 (a host not allowed, too many parameters, too much data),
    said in Japanese with what to do. On the bare layout of the 500 page
    (templates/_bare_page.html): the site's layout builds absolute addresses
    from the host, which may be the very thing refused."""
    context = {"reason": _bad_request_reason(exception), "home_link": not isinstance(exception, DisallowedHost)}
    return render(request, "400.html", context, status=400)


def _bad_request_reason(exception) -> str:
    if isinstance(exception, DisallowedHost):
        return (
            "このアドレス(ホスト名)では、このサイトを表示できません。ブックマークやリンクのアドレスを確かめてください。"
        )
    if isinstance(exception, TooManyFieldsSent):
        return (
            f"URLやフォームの項目が多すぎます(上限は{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}個です)。"
            "条件を減らして、もう一度お試しください。"
        )
    if isinstance(exception, RequestDataTooBig):
        return (
            f"送信したデータが大きすぎます(上限は{settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024:,} KBです)。"
            "内容を分けて、もう一度お試しください。"
        )
    if isinstance(exception, TooManyFilesSent):
        return (
            f"送信したファイルが多すぎます(上限は{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}個です)。"
            "ファイルを減らして、もう一度お試しください。"
        )
    return "リクエストの形式に問題があるため、処理できませんでした。URLを確かめて、もう一度お試しください。"


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
