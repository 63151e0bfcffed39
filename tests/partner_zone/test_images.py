"""Local copies of partner images (PARTNER_ZONE CACHE_IMAGES): fetched once per URL into our media
storage and shown instead of the partner's URLs; unusable images keep the partner's URL; a sync
that changes a listing's images drops the old copies; with the setting off nothing is fetched."""

import io
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from partner_zone import hooks as zone_hooks
from partner_zone import selectors
from partner_zone.handlers import images as image_handlers
from partner_zone.models import PartnerListing
from partner_zone.services import images, sync
from tests.partner_zone.factories import feed_item, make_listing, make_partnership

pytestmark = pytest.mark.django_db


def _png(size=(8, 8), *, noisy=False):
    buffer = io.BytesIO()
    if noisy:  # random pixels do not compress: a file about 3 bytes per pixel
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "PNG")
    else:
        Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


class PartnerImages(BaseHTTPRequestHandler):
    bodies = {}
    hits = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.hits.append(self.path)
        body = self.bodies.get(self.path)
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
def partner_site():
    PartnerImages.bodies = {
        "/ok.png": _png(),
        "/other.png": _png((4, 4)),
        "/fake.jpg": b"<html>not an image</html>",
        "/big.png": _png((40, 40), noisy=True),
    }
    PartnerImages.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), PartnerImages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def caching(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PARTNER_ZONE = {**settings.PARTNER_ZONE, "CACHE_IMAGES": True}
    settings.FETCH_PRIVATE_HOSTS_ALLOWED = ["127.0.0.1"]  # the partner site of these tests is on loopback
    return tmp_path


@pytest.fixture
def partnership():
    return make_partnership()


def test_cached_copies_are_stored_once_per_url_and_shown_instead_of_the_partners(partnership, partner_site, caching):
    first = make_listing(partnership, images=[f"{partner_site}/ok.png", f"{partner_site}/other.png"])
    second = make_listing(partnership, images=[f"{partner_site}/ok.png"])

    assert images.cache_listing_images([first.pk, second.pk]) == 2

    first.refresh_from_db()
    second.refresh_from_db()
    assert all(url.startswith("/media/partner-images/us/") for url in first.cached_images)
    assert first.cached_images[0].endswith(".png") and second.cached_images == first.cached_images[:1]
    assert sorted(PartnerImages.hits) == ["/ok.png", "/other.png"]  # the shared URL fetched once
    assert len(list((caching / "partner-images" / "us").iterdir())) == 2
    assert selectors.image_urls(first) == first.cached_images
    # Nothing left to fetch: a second round downloads nothing.
    assert images.cache_listing_images([first.pk, second.pk]) == 0
    assert images.listings_missing_copies() == []


def test_unusable_images_keep_the_partner_url(partnership, partner_site, caching, settings):
    settings.CATALOG_MAX_IMAGE_BYTES = 2000
    urls = [f"{partner_site}/fake.jpg", f"{partner_site}/gone.png", f"{partner_site}/big.png"]
    listing = make_listing(partnership, images=urls)

    images.cache_listing_images([listing.pk])

    listing.refresh_from_db()
    # Not an image, 404, and over the size limit: shown from the partner as before, not refetched.
    assert listing.cached_images == urls
    assert selectors.image_urls(listing) == urls
    assert not (caching / "partner-images").exists() or not any((caching / "partner-images" / "us").iterdir())


def test_with_the_setting_off_images_are_referenced_not_fetched(partnership, partner_site, settings):
    settings.PARTNER_ZONE = {**settings.PARTNER_ZONE, "CACHE_IMAGES": False}
    listing = make_listing(partnership, images=[f"{partner_site}/ok.png"])

    assert images.cache_listing_images([listing.pk]) == 0
    assert images.listings_missing_copies() == []

    listing.refresh_from_db()
    assert listing.cached_images == [] and PartnerImages.hits == []
    assert selectors.image_urls(listing) == [f"{partner_site}/ok.png"]


def test_the_hourly_retry_finds_listings_never_fetched(partnership, partner_site, caching):
    waiting = make_listing(partnership, images=[f"{partner_site}/ok.png"])
    make_listing(partnership, images=[])

    assert images.listings_missing_copies() == [waiting.pk]


def test_a_sync_that_changes_the_images_drops_the_copies_and_one_that_does_not_keeps_them(partnership, caching):
    item = feed_item(images=["http://us.partner.invalid/a.jpg"])
    sync.apply_page(partnership, [item])
    listing = PartnerListing.objects.get(reference=item["id"])
    PartnerListing.objects.filter(pk=listing.pk).update(cached_images=["/media/partner-images/us/a.jpg"])

    sync.apply_page(partnership, [dict(item, version=2, export_price={"amount": "21.00", "currency": "USD"})])
    listing.refresh_from_db()
    assert listing.cached_images == ["/media/partner-images/us/a.jpg"]

    sync.apply_page(partnership, [dict(item, version=3, images=["http://us.partner.invalid/b.jpg"])])
    listing.refresh_from_db()
    assert listing.cached_images == []
    assert selectors.image_urls(listing) == ["http://us.partner.invalid/b.jpg"]


def test_listings_a_sync_changed_are_queued_for_fetching_only_with_the_setting_on(monkeypatch, settings):
    queued = []
    monkeypatch.setattr(image_handlers.cache_images, "delay", queued.append)
    assert image_handlers.queue_image_copies in zone_hooks.listings_changed.subscribers

    settings.PARTNER_ZONE = {**settings.PARTNER_ZONE, "CACHE_IMAGES": False}
    image_handlers.queue_image_copies([1, 2])
    settings.PARTNER_ZONE = {**settings.PARTNER_ZONE, "CACHE_IMAGES": True}
    image_handlers.queue_image_copies([3])

    assert queued == [[3]]
