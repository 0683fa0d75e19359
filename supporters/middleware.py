"""The directory's whole-page cache, as Django middleware (supporters/cache.py)."""

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import MiddlewareNotUsed
from django.utils.cache import get_conditional_response, patch_cache_control

from config import dates

from . import cache


class PublicPageCacheMiddleware:
    """Serve anonymous GETs of the directory's pages from memory, and store them.

    Placed right after ``SecurityMiddleware``: the HTTPS redirect comes
    first, the host is checked here before any lookup, and the security
    headers of the middleware inside (CSP, X-Frame-Options) are stored with
    the page while ``SecurityMiddleware``'s are added to every answer, so a
    hit is the same answer as a miss. A plain GET's answer is marked
    ``replayable`` for the WSGI layer before Django (supporters/front.py).
    """

    def __init__(self, get_response):
        if not settings.PAGE_CACHE:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        view_name = cache.directory_view(request)
        if view_name is None:
            return self.get_response(request)
        if cache.is_personal(request.COOKIES):
            # Someone signed in sees their own header: no shared cache may keep it.
            response = self.get_response(request)
            patch_cache_control(response, private=True)
            return response
        host = request.get_host()  # DisallowedHost (400) before anything is served
        day = dates.today()
        key = cache.page_key(request, cache.reduce_query(request, view_name), host, day)
        pages = caches["pages"]
        entry = pages.get(key)
        if entry is not None:
            response = cache.thaw(entry)
        else:
            response = self.get_response(request)
            if not cache.is_cacheable_response(response):
                return response
            response["Cache-Control"] = cache.public_cache_control()
            cache.set_etag(response)
            if request.method == "GET":
                pages.set(key, cache.freeze(response), cache.PAGE_TTL)
        if not any(header in request.META for header in cache.CONDITIONAL):
            if request.method == "GET":
                # The page itself for this version and day: the front before
                # Django (supporters/front.py) may keep a copy of the answer.
                response.replayable = (request.directory_version, day)
            return response  # nothing to compare: the page itself (most requests)
        return get_conditional_response(request, etag=response["ETag"], response=response)
