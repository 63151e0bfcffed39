"""Who is on the other end of a request: the one reading of the client's address.

Behind proxies every request arrives from the nearest proxy, so its REMOTE_ADDR says nothing about
the client. Each proxy appends the address it received the request from to X-Forwarded-For; only the
entries our own proxies wrote can be trusted, and a client can put anything to the left of them.
With CROSSBORDER_TRUSTED_PROXIES = N (settings.TRUSTED_PROXIES), the client is the N-th entry from
the right; with 0 (no proxy) the header is ignored. The admin login lockout (django-axes) and the
throttles read the address here.
"""

import ipaddress

from django.conf import settings


def _address(value):
    """The address in one header entry, or None when it is not an IP address (a port is dropped)."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [IPv6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # IPv4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request):
    """The client's IP address as text, X-Forwarded-For read only as deep as our trusted proxies
    wrote it; None when the request carries no address that parses."""
    # A unix-socket server may pass no address at all: then there is none to give.
    remote = _address(request.META.get("REMOTE_ADDR"))
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(hops) < proxies:
        # The request did not pass through all our proxies (or one dropped the header): nothing in
        # it is ours to trust, so the sender is the address that reached us.
        return remote
    return _address(hops[-proxies]) or remote
