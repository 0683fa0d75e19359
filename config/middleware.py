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
