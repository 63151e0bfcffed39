"""Local copies of partner images: listings a sync created or changed are queued for fetching when
PARTNER_ZONE["CACHE_IMAGES"] is on (the hook runs after the sync's commit)."""

from .. import hooks
from ..services import images
from ..tasks.images import cache_images


def queue_image_copies(listing_ids):
    if images.enabled():
        cache_images.delay(list(listing_ids))


hooks.listings_changed.subscribe(queue_image_copies)
