"""Local copies of partner images: listings a sync created or changed are queued for fetching when
PARTNER_ZONE["CACHE_IMAGES"] is on (the hook runs after the sync's commit)."""

from ..services import images, sync
from ..tasks.images import cache_images


def queue_image_copies(listing_ids):
    if images.enabled():
        cache_images.delay(list(listing_ids))


if queue_image_copies not in sync.listings_changed:
    sync.listings_changed.append(queue_image_copies)
