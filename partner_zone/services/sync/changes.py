"""After a change to partner listings has committed: price what the change did not price itself,
then tell the subscribers of partner_zone.hooks.listings_changed."""

import logging

from django.db import transaction

from partner_zone import hooks
from partner_zone.services import pricing

logger = logging.getLogger(__name__)


def after_change(listing_ids, *, to_price=None):
    """After the commit of a change to these listings: price those of `to_price` (all of them when
    None) that the change did not price itself, then tell whoever registered."""
    to_price = listing_ids if to_price is None else to_price
    if to_price:
        try:
            with transaction.atomic():
                pricing.price_listings(to_price)
        except Exception:
            # The change is applied; repricing must not undo or stop it (the nightly reprice_all
            # catches up), but ops must see it.
            logger.exception("pricing %d changed listings failed", len(to_price))
    notify_listings_changed(listing_ids)


def notify_listings_changed(listing_ids):
    """Fire hooks.listings_changed (after the commit only; a subscriber's failure is logged)."""
    if listing_ids:
        hooks.listings_changed.fire(listing_ids=list(listing_ids))
