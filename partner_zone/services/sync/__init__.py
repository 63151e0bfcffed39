"""Mirroring a partner's catalog feed into PartnerListing: incremental runs from the last watermark,
one transaction per page, bad items rejected and listed while the rest goes on, and a run that a
network or partner error interrupts resumed from its cursor by the next one.

Images are referenced by the partner's absolute URLs; with PARTNER_ZONE["CACHE_IMAGES"] on,
services.images keeps local copies of them (a listing whose images change loses its copies here).

In five modules (docs/adr/0015): `items` (checking feed items, preparing a page outside any
transaction), `writer` (writing a page in one transaction, by COPY on PostgreSQL), `changes`
(after a change commits: pricing, then the listings_changed hook), `run` (claim, cursor and resume, the
fetching and writing threads) and `stock` (the bridge to the consignment stock in our warehouses).
The names callers use are importable from here as before."""

from .changes import after_change, notify_listings_changed
from .items import ItemRejected, PageResult, PreparedPage, home_title, listing_values, prepare_page
from .run import INTERRUPTIONS, RUN_LEASE_SECONDS, sync_partnership
from .stock import (
    follow_checkout_holds,
    listing_offering,
    local_stock_of,
    offered_skus,
    refresh_local_stock,
    sellable_by_sku,
    ships_from,
)
from .writer import SYNCED_FIELDS, UPSERTED_FIELDS, SyncSuperseded, apply_page

__all__ = [
    "INTERRUPTIONS",
    "RUN_LEASE_SECONDS",
    "SYNCED_FIELDS",
    "UPSERTED_FIELDS",
    "ItemRejected",
    "PageResult",
    "PreparedPage",
    "SyncSuperseded",
    "after_change",
    "apply_page",
    "follow_checkout_holds",
    "home_title",
    "listing_offering",
    "listing_values",
    "local_stock_of",
    "notify_listings_changed",
    "offered_skus",
    "prepare_page",
    "refresh_local_stock",
    "sellable_by_sku",
    "ships_from",
    "sync_partnership",
]
