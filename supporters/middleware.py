"""The directory's whole-page cache, as Django middleware (supporters/cache.py)."""

from django.http import HttpResponse

from . import cache


class PublicPageCacheMiddleware:
    """Serve anonymous GETs of the public directory from memory, and store them.

    Placed outermost (after the health check) so a stored response already
    carries every security header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key, entry = cache.lookup(
            request.method, request.path_info, request.META.get("QUERY_STRING", ""), request.META.get("HTTP_COOKIE", "")
        )
        if entry is not None:
            status, headers, body = entry
            response = HttpResponse(body, status=int(status.split()[0]))
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if key and request.method == "GET" and cache.is_cacheable_response(response):
            cache.store(key, response)
        return response
