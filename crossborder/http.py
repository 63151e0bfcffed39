"""Who is on the other end of a request: the one place that names the client's address, so that
throttles, limits and logs agree on it (and a trusted-proxy rule has one place to live)."""

import ipaddress


def client_ip(request):
    """The client's IP address, as text, or None when the request carries none that parses.
    REMOTE_ADDR: the peer that connected to us (behind a proxy, the proxy)."""
    address = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
