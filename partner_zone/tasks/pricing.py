"""Celery tasks of the partner zone: pricing (thin wrappers over services)."""

from celery import shared_task

from ..services import pricing

__all__ = ["reprice_all", "reprice_listings"]


@shared_task(name="partner_zone.reprice_all")
def reprice_all():
    """Nightly: reprice every active listing in batches, so that campaign starts and ends apply.
    Idempotent: running it twice prices the same way."""
    return pricing.reprice_all()


@shared_task(name="partner_zone.reprice_listings")
def reprice_listings(listing_ids):
    return len(pricing.price_listings(listing_ids))
