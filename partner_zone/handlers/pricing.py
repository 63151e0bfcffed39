"""Partner messages of the partner zone: pricing. Pricing receives no message of its own; it
listens to the catalog sync instead: listings a sync created or changed are priced at once."""

from ..services import pricing, sync


def reprice_changed_listings(listing_ids):
    pricing.price_listings(listing_ids)


_hooks = getattr(sync, "listings_changed", None)
if _hooks is not None and reprice_changed_listings not in _hooks:
    _hooks.append(reprice_changed_listings)
