"""Fetching a URL someone else chose (a partner's image) without letting it reach our own network.

Every hop is checked: http or https only, the host name resolved once and every address it has must
be public (not loopback, private, link-local such as the cloud metadata address 169.254.169.254,
multicast, reserved, unspecified, nor an IPv4 one of those inside IPv6); the connection then goes to
the very address that was checked (a second DNS answer cannot point it elsewhere), with the URL's
host name for the Host header and for TLS (SNI and certificate check). Redirects are followed here,
at most MAX_REDIRECTS, each one checked the same way. The body is capped while it streams.

FETCH_PRIVATE_HOSTS_ALLOWED names hosts exempt from the address check (tests serve from loopback;
a partner on a private network); it is empty unless set."""

import ipaddress
import socket
import time
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings

MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
DEFAULT_PORTS = {"http": 80, "https": 443}
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchRefused(Exception):
    """The URL, or a redirect, leads somewhere we do not fetch from; the message says why."""


class FetchFailed(Exception):
    """The server did not give the file (unreachable, an error status, too large, too slow)."""


def is_public(address):
    """Whether `address` (text) is a global unicast address, IPv4 inside IPv6 unwrapped."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return is_public(str(ip.ipv4_mapped))
    if ip.version == 6:
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(str(embedded)):
            return False
    flags = [ip.is_private, ip.is_loopback, ip.is_link_local, ip.is_multicast, ip.is_reserved, ip.is_unspecified]
    if ip.version == 6:
        flags.append(ip.is_site_local)
    return ip.is_global and not any(flags)


def _addresses(host, port):
    """Every address `host` resolves to, each checked; refuses if any one is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed(f"{host} does not resolve: {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if host.lower().rstrip(".") not in {name.lower() for name in settings.FETCH_PRIVATE_HOSTS_ALLOWED}:
        refused = [address for address in addresses if not is_public(address)]
        if refused:
            raise FetchRefused(f"{host} resolves to the non-public address {refused[0]}")
    if not addresses:
        raise FetchFailed(f"{host} has no address")
    return addresses


def _target(url):
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise FetchRefused(f"scheme {parts.scheme or '(none)'} is not http or https")
    if not parts.hostname or parts.username or parts.password:
        raise FetchRefused("the URL has no host, or carries credentials")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise FetchRefused("the URL's port is not a number") from None
    return parts, port


def _open(parts, port, address, timeout):
    host = parts.hostname
    shown_host = f"[{host}]" if ":" in host else host
    host_header = shown_host if port == DEFAULT_PORTS[parts.scheme] else f"{shown_host}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    options = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            server_hostname=host,
            assert_hostname=host,
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **options)
    headers = {"Host": host_header, "Accept": "image/*", "User-Agent": "crossborder-image-fetch"}
    return pool, pool.urlopen("GET", path, headers=headers, redirect=False, preload_content=False, retries=False)


def _connect(parts, port, timeout):
    """The response from the first of the checked addresses that answers."""
    last_error = None
    for address in _addresses(parts.hostname, port):
        try:
            return _open(parts, port, address, timeout)
        except urllib3.exceptions.HTTPError as error:
            last_error = error
    raise FetchFailed(f"unreachable: {last_error.__class__.__name__}")


def _body(response, max_bytes, deadline):
    chunks, size = [], 0
    try:
        for chunk in response.stream(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FetchFailed(f"larger than {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchFailed("too slow")
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as error:
        raise FetchFailed(f"unreachable: {error.__class__.__name__}") from None
    return b"".join(chunks)


def fetch_public(url, *, max_bytes, timeout):
    """The body of a 200 answer for `url`, after at most MAX_REDIRECTS checked redirects. Raises
    FetchRefused (a non-public address, another scheme, too many redirects) or FetchFailed."""
    deadline = time.monotonic() + 3 * timeout
    for _hop in range(MAX_REDIRECTS + 1):
        parts, port = _target(url)
        pool, response = _connect(parts, port, timeout)
        try:
            if response.status in REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchFailed(f"HTTP {response.status} without a Location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchFailed(f"HTTP {response.status}")
            return _body(response, max_bytes, deadline)
        finally:
            response.release_conn()
            pool.close()
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")
