"""The kernel's middleware: the health check answered first, and django-csp's with its policies built once."""

import functools

import csp.constants
import csp.middleware
import csp.utils
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

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


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the policies built once per process for the
    answers that change nothing in them.

    django-csp builds both headers from the settings on every response (45 µs,
    2 % of a list page nobody asked for before), although an answer without a
    policy of its own (django-csp's decorators) to a request that took no nonce
    gets the same headers every time. Those answers get the headers built
    once; every other answer, and every setting that makes the headers depend
    on the request (``EXCLUDE_URL_PREFIXES``), goes to django-csp as before.
    """

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
            or (settings.DEBUG and response.status_code in (404, 500))
            or (headers := _constant_policies()) is None
        ):
            return super().process_response(request, response)
        for header, policy in headers:
            if policy and header not in response:
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


# What django-csp's decorators set on a response to change its policy.
_PER_RESPONSE = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace", "exempt") for suffix in ("", "_ro")
)


@functools.cache
def _constant_policies() -> tuple[tuple[str, str], ...] | None:
    """Both headers as django-csp builds them from the settings, or None where a
    policy excludes paths (then each request's path decides)."""
    policies = (settings.CONTENT_SECURITY_POLICY, getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None))
    if any((policy or {}).get("EXCLUDE_URL_PREFIXES") for policy in policies):
        return None
    return (
        (csp.constants.HEADER, csp.utils.build_policy()),
        (csp.constants.HEADER_REPORT_ONLY, csp.utils.build_policy(report_only=True)),
    )


@receiver(setting_changed)
def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _constant_policies.cache_clear()
