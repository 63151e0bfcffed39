"""Celery tasks of the partner zone: local copies of partner images (thin wrappers over services)."""

from celery import shared_task

from ..services import images

__all__ = ["cache_images", "cache_missing_images"]


@shared_task(name="partner_zone.cache_images", acks_late=True)
def cache_images(listing_ids):
    """Fetch the images of listings a sync created or changed (PARTNER_ZONE CACHE_IMAGES on)."""
    return images.cache_listing_images(listing_ids)


@shared_task(name="partner_zone.cache_missing_images")
def cache_missing_images():
    """Hourly: listings whose images were never fetched (a worker was down when they changed)."""
    return images.cache_listing_images(images.listings_missing_copies())
