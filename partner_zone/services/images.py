"""Local copies of partner images, when PARTNER_ZONE["CACHE_IMAGES"] is on.

By default a listing references its images by the partner's absolute URLs. With the setting on,
listings a sync created or changed get their images fetched into our media storage (one file per
URL, named by its hash, so a URL shared by many listings is fetched once) and the zone shows the
local copies, re-encoded as every image we store is. An image that cannot be fetched, lies on a
non-public address (or redirects to one), is larger than CATALOG_MAX_IMAGE_BYTES or is not an image
keeps its partner URL; the hourly retry fetches for listings whose turn never came (a worker was
down). Downloads happen outside any transaction; each listing's copies are recorded in a short one,
and only if the sync has not changed its images in the meantime."""

import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from crossborder import public_fetch, uploads

from ..models import PartnerListing

logger = logging.getLogger(__name__)

EXTENSIONS = sorted(uploads.IMAGE_EXTENSIONS)
RETRY_BATCH = 200


class ImageUnusable(Exception):
    """The partner's URL gave nothing we can show; the reason goes to the log."""


def enabled():
    return bool(settings.PARTNER_ZONE.get("CACHE_IMAGES"))


def _download(url):
    """The image at `url`, re-encoded as every stored image is (crossborder.uploads). Only public
    addresses are fetched, on every redirect (crossborder.public_fetch)."""
    try:
        data = public_fetch.fetch_public(
            url, max_bytes=settings.CATALOG_MAX_IMAGE_BYTES, timeout=settings.PARTNER_API["REQUEST_TIMEOUT"]
        )
    except (public_fetch.FetchRefused, public_fetch.FetchFailed) as error:
        raise ImageUnusable(f"{error.__class__.__name__}: {error}") from error
    try:
        clean = uploads.clean_image(data)
    except uploads.ImageRefused as refused:
        raise ImageUnusable(f"{refused.code}: {refused.detail}") from refused
    return clean.content.read(), clean.extension


def local_copy(partner_code, url):
    """The media URL of our copy of `url` (fetched now if we have none). Raises ImageUnusable."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:40]
    folder = f"partner-images/{partner_code}"
    for extension in EXTENSIONS:
        name = f"{folder}/{digest}.{extension}"
        if default_storage.exists(name):
            return default_storage.url(name)
    data, extension = _download(url)
    name = default_storage.save(f"{folder}/{digest}.{extension}", ContentFile(data))
    return default_storage.url(name)


def cache_listing_images(listing_ids):
    """Fetch the images of these listings that have no complete local copy yet. Returns how many
    listings got their copies recorded. Does nothing when the setting is off."""
    if not enabled() or not listing_ids:
        return 0
    listings = (
        PartnerListing.objects.filter(pk__in=list(listing_ids))
        .select_related("partnership__partner")
        .only("pk", "images", "cached_images", "partnership__partner__code")
    )
    done = 0
    for listing in listings:
        urls = [image.get("url") if isinstance(image, dict) else image for image in listing.images or []]
        if not urls or len(listing.cached_images or []) == len(urls):
            continue
        copies = []
        for url in urls:
            try:
                copies.append(local_copy(listing.partnership.partner.code, url))
            except ImageUnusable as reason:
                # Shown from the partner as before; a broken image is not retried for ever.
                logger.warning("partner image %s not cached: %s", url, reason)
                copies.append(url)
        with transaction.atomic():
            current = PartnerListing.objects.select_for_update().filter(pk=listing.pk).only("images").first()
            if current is None or current.images != listing.images:
                continue  # the sync changed the images meanwhile; the next round fetches the new ones
            PartnerListing.objects.filter(pk=listing.pk).update(cached_images=copies)
        done += 1
    return done


def listings_missing_copies(limit=RETRY_BATCH):
    """Ids of active listings with images but no local copies (for the hourly retry)."""
    if not enabled():
        return []
    return list(
        PartnerListing.objects.filter(is_active=True, cached_images=[])
        .exclude(images=[])
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
