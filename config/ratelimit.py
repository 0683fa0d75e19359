"""Rate limits: the one helper behind every limit on the site.

django-ratelimit counts in the shared cache (database or Redis), so a limit
holds across processes and containers; the counted values (addresses,
account ids) are hashed into the cache keys, never stored as they are.
Every count is one of three keys:

- ``CLIENT``: the client's address (config/client.py, behind proxies too);
- ``ACCOUNT``: the signed-in account (the client's address for visitors);
- a value only the valid form knows, usually the address someone typed
  (``over_limit(..., value=...)``).

``limit`` decorates a view and counts every POST (floods); ``over_limit``
counts one action once its form is valid.

Every action that mails an address someone typed (sign-up, password reset,
invitations, the contact relay, seminar applications) counts per client and
per account with ``limit`` and per typed address with ``over_limit``, so
neither many addresses from one client nor one address from many clients
floods anyone's mailbox.
"""

from __future__ import annotations

from functools import wraps

from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from .views import rate_limited

CLIENT = "ip"  # RATELIMIT_IP_META_KEY names config.client.client_ip
ACCOUNT = "user_or_ip"

# Shown with a form whose typed address is over its limit (the form keeps what was typed).
TOO_MANY = (
    "短い時間に送信できる件数を超えました。時間をおいてから、もう一度お試しください(この内容はまだ送信されていません)。"
)


def limit(group: str, *, rate: str, key: str = CLIENT, method: str = "POST"):
    """Refuse more than ``rate`` requests (POSTs by default) per ``key`` in ``group``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if is_ratelimited(request, group=f"{group}:{key}", key=key, rate=rate, method=method, increment=True):
                return rate_limited(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def limit_mailing(group: str, *, per_account: str = "30/h", per_client: str = "60/h"):
    """For a view whose POST mails someone: limited per account and per client address."""

    def decorator(view):
        return limit(group, rate=per_client, key=CLIENT)(limit(group, rate=per_account, key=ACCOUNT)(view))

    return decorator


def over_limit(request, group: str, *, rate: str, key: str = CLIENT, value: str | None = None) -> bool:
    """Count one action now, per ``key`` or per ``value`` (e.g. a typed address, in lower case); True once over ``rate``.

    For limits counted only once a form is valid, so that correcting a typo
    costs nothing: nothing is sent for an invalid form anyway.
    """
    if value is not None:
        normalised = str(value).strip().lower()
        group, key = f"{group}:value", (lambda _group, _request: normalised)
    else:
        group = f"{group}:{key}"
    return is_ratelimited(request, group=group, key=key, rate=rate, method=ALL, increment=True)
