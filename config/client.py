"""The client's address, the same for the login lock-out, every rate limit and the contact relay.

Without a proxy it is ``REMOTE_ADDR``. Behind load balancers or CDNs, set
``CLIENT_IP_HEADER`` to the header they write (``HTTP_X_FORWARDED_FOR``) and
``TRUSTED_PROXY_COUNT`` to how many of them append to it. Each trusted proxy
appends the address it was connected from, so with N trusted proxies the
client is the N-th address from the right: ``203.0.113.5, 192.0.2.10`` is
192.0.2.10 behind one proxy and 203.0.113.5 behind two. Anything further left
was written by the client and is never believed (it could name any address
to dodge a limit or to lock someone else out).

Whatever arrives, the answer is a valid IP address, never an exception: a
missing, empty or malformed header falls back to the nearest trustworthy
address, and ports (``192.0.2.10:5120``, ``[2001:db8::1]:443``) are dropped.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

# The answer when not even REMOTE_ADDR is usable (a Unix socket with no
# proxy header): one shared bucket, so the limits still hold.
UNKNOWN = "0.0.0.0"


def _address(text: str) -> str | None:
    """``text`` as a normalised IP address, or None if it is not one."""
    text = text.strip().strip('"')
    if text.startswith("["):  # [IPv6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen over an IPv6 socket counts as the IPv4 address.
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def client_ip(request) -> str:
    """The client's IP address as the configured proxies report it (see the module docstring)."""
    remote = _address(request.META.get("REMOTE_ADDR") or "") or UNKNOWN
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if not header:
        return remote
    hops = [hop for hop in str(request.META.get(header, "")).split(",") if hop.strip()]
    if not hops:
        return remote  # not through the proxies (a health check, a direct request)
    trusted = max(1, int(getattr(settings, "TRUSTED_PROXY_COUNT", 1)))
    # Fewer hops than proxies: the leftmost was still written by a trusted proxy.
    return _address(hops[-min(trusted, len(hops))]) or remote
