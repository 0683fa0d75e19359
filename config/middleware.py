from .views import healthz


class HealthCheckMiddleware:
    """Answer /healthz before host validation and HTTPS redirects.

    Load balancers and the container's HEALTHCHECK probe by IP address over
    plain HTTP; the probe must not depend on ALLOWED_HOSTS or the proxy's
    headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)


class PublicPageCacheMiddleware:
    """Serve anonymous GETs of the public directory from memory, and store them.

    Placed outermost (after the health check) so a stored response already
    carries every security header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponse

        from supporters import cache

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
