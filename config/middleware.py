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
    """Serve anonymous GETs of the public directory from memory.

    Placed outermost (after the health check) so a hit skips the whole stack;
    the stored response already carries every security header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.cache import caches

        from supporters import cache

        if not cache.is_cacheable_request(request):
            return self.get_response(request)
        pages = caches["pages"]
        key = cache.page_key(request)
        response = pages.get(key)
        if response is not None:
            return response
        response = self.get_response(request)
        if request.method == "GET" and cache.is_cacheable_response(response):
            pages.set(key, response, cache.PAGE_TTL)
        return response
