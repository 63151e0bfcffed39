"""The partner zone's hooks (the Hook type: crossborder/hooks.py)."""

from crossborder.hooks import Hook

# listings_changed(listing_ids): listings were created, changed, deactivated or their local stock
# moved, and are priced (sync.after_change, which fires it after the change committed). Inline at
# that point; a subscriber's failure is logged and stops neither the others nor the sync (the
# nightly reprice_all catches up). The zone's image copies subscribe (handlers/images.py).
listings_changed = Hook("partner_zone.listings_changed", runs=Hook.INLINE, on_failure=Hook.LOG)

# listing_sections(request, listing) -> list of snippets ({"template", "context"}, as in
# catalog.hooks), shown under a zone product page. Inline, in the request. After-sales shows the
# listing's shared reviews here (aftersales/handlers/reviews.py).
listing_sections = Hook("partner_zone.listing_sections", runs=Hook.INLINE)


def listing_snippets(request, listing):
    return [snippet for answer in listing_sections.fire(request=request, listing=listing) for snippet in answer or []]
