"""Partner messages of the partner zone: sync. The catalog comes through the feed (pulled by the
sync task), not through messages; this module plugs the zone into logistics: when the consignment
stock of a partner changes in our warehouses (a receipt, a checkout's hold given or given back),
its listings' local stock and shipping origin follow, and a checkout's direct-sale units are taken
from and given back to the listings; an advance shipment notice is checked against the partner's
mirrored catalog; an agreed markdown of aged consignment stock lowers the listing's price.

A suspension or end of the partnership needs no receiver: the zone pages show only ACTIVE
partnerships' listings and PartnerListing.is_orderable checks the partnership's status, so both
follow the status at once; the sync task skips partnerships that are not ACTIVE."""

from logistics import hooks as logistics_hooks

from ..services import markdowns, sync

logistics_hooks.consignment_stock_changed.subscribe(sync.refresh_local_stock)
logistics_hooks.checkout_stock_changed.subscribe(sync.follow_checkout_holds)
logistics_hooks.known_partner_skus.subscribe(sync.offered_skus)
logistics_hooks.aged_stock_markdown.subscribe(markdowns.apply_aged_markdown)
