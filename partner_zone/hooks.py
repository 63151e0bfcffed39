"""The partner zone's hooks (the Hook type: crossborder/hooks.py)."""

from crossborder.hooks import Hook

# listings_changed(listing_ids): listings were created, changed, deactivated or their local stock
# moved, and are priced (sync.after_change, which fires it after the change committed). Inline at
# that point; a subscriber's failure is logged and stops neither the others nor the sync (the
# nightly reprice_all catches up). The zone's image copies subscribe (handlers/images.py).
listings_changed = Hook("partner_zone.listings_changed", runs=Hook.INLINE, on_failure=Hook.LOG)
