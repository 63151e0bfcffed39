"""Partner image caching fetches only from public addresses, on every redirect (issue 13, Low):
a partner URL, or a redirect from it, to loopback, the cloud metadata address or a private network
is refused, and the listing keeps the partner's URL. The tests' own partner site is on loopback, so
they name it in FETCH_PRIVATE_HOSTS_ALLOWED (empty by default) under the name "localhost" only."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from crossborder import public_fetch
from partner_zone.services import images
from tests.partner_zone.factories import make_listing, make_partnership

pytestmark = pytest.mark.django_db


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


class Site(BaseHTTPRequestHandler):
    port = 0
    hits = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.hits.append((self.headers["Host"], self.path))
        redirects = {
            "/to-loopback.png": f"http://127.0.0.1:{self.port}/ok.png",
            "/to-metadata.png": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "/to-private.png": "http://10.0.0.5/ok.png",
            "/to-mapped.png": f"http://[::ffff:127.0.0.1]:{self.port}/ok.png",
            "/to-file.png": "file:///etc/passwd",
            "/relative.png": "/ok.png",
            "/loop.png": "/loop.png",
        }
        if self.path in redirects:
            self.send_response(302)
            self.send_header("Location", redirects[self.path])
            self.end_headers()
            return
        body = png() if self.path == "/ok.png" else None
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PARTNER_ZONE = {**settings.PARTNER_ZONE, "CACHE_IMAGES": True}
    settings.FETCH_PRIVATE_HOSTS_ALLOWED = ["localhost"]
    Site.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    Site.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    server.server_close()


def fetch(url):
    return public_fetch.fetch_public(url, max_bytes=100_000, timeout=2)


def test_the_allowed_test_host_serves_and_a_relative_redirect_is_followed(site):
    assert fetch(f"{site}/relative.png") == png()
    assert [path for _host, path in Site.hits] == ["/relative.png", "/ok.png"]
    assert Site.hits[0][0] == site.removeprefix("http://")  # the URL's host name, not the address


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/to-loopback.png", "127.0.0.1"),
        ("/to-metadata.png", "169.254.169.254"),
        ("/to-private.png", "10.0.0.5"),
        ("/to-mapped.png", "::ffff:127.0.0.1"),
        ("/to-file.png", "scheme file"),
        ("/loop.png", "redirects"),
    ],
)
def test_a_redirect_to_a_non_public_address_or_another_scheme_is_refused(site, path, reason):
    with pytest.raises(public_fetch.FetchRefused) as refused:
        fetch(site + path)
    assert reason in str(refused.value)
    assert "/ok.png" not in [hit for _host, hit in Site.hits]  # nothing fetched from where it pointed


def test_without_the_allow_list_loopback_is_refused_before_connecting(site, settings):
    settings.FETCH_PRIVATE_HOSTS_ALLOWED = []
    for url in (f"{site}/ok.png", f"http://127.0.0.1:{Site.port}/ok.png", f"http://[::1]:{Site.port}/ok.png"):
        with pytest.raises(public_fetch.FetchRefused):
            fetch(url)
    assert Site.hits == []


def test_a_partner_listing_whose_image_redirects_to_loopback_keeps_the_partner_url(site):
    url = f"{site}/to-loopback.png"
    listing = make_listing(make_partnership(), images=[url, f"{site}/ok.png"])

    images.cache_listing_images([listing.pk])

    listing.refresh_from_db()
    assert listing.cached_images[0] == url
    assert listing.cached_images[1].startswith("/media/partner-images/") and listing.cached_images[1].endswith(".png")
    assert [path for _host, path in Site.hits].count("/ok.png") == 1  # only the direct one


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",  # noqa: S104 - refused, not bound
        "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fec0::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:7f00:1::1",
    ],
)  # fmt: skip
def test_non_public_addresses_are_recognised(address):
    assert not public_fetch.is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_recognised(address):
    assert public_fetch.is_public(address)


def test_the_body_is_capped_while_it_streams(site):
    with pytest.raises(public_fetch.FetchFailed) as failed:
        public_fetch.fetch_public(f"{site}/ok.png", max_bytes=10, timeout=2)
    assert "larger than 10 bytes" in str(failed.value)
