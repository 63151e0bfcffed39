"""After a change to partner listings has committed: price what the change did not price itself,
then tell the subscribers of listings_changed."""

import logging

from django.db import transaction

from partner_zone.services import pricing

logger = logging.getLogger(__name__)

# listings_changed(listing_ids): listings were created, changed, deactivated or their local stock
# moved, and are priced (after_change). Called after the change committed.
listings_changed = []


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
    """Tell whoever registered which listings changed; after the commit only."""
    if not listing_ids:
        return
    for hook in list(listings_changed):
        try:
            # Each hook in a transaction of its own: a database error inside it is rolled back
            # without poisoning the caller's connection.
            with transaction.atomic():
                hook(list(listing_ids))
        except Exception:
            # The page is applied; a hook's failure must not undo or stop the sync (the nightly
            # reprice_all catches up), but ops must see it.
            logger.exception("a listings_changed hook failed for %d listings", len(listing_ids))
