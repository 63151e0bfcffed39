"""Where later apps plug into logistics without logistics importing them (DESIGN.md section 2; the
Hook type: crossborder/hooks.py). A required hook with no subscriber makes the service refuse
rather than claim something happened that did not."""

from crossborder.hooks import Hook

# fee_accrued(accrual): a StorageFeeAccrual was written; payments books it to the ledger. After
# commit: a failing booking is logged, the accrual stays (and the next run does not book it again).
fee_accrued = Hook("logistics.fee_accrued", runs=Hook.AFTER_COMMIT)
# consignment_stock_changed(partnership, skus): sellable consignment stock changed; the partner zone
# shows goods in the local warehouse as shipping from it. Inline: a receipt refreshes the listings in
# its own transaction; carrying out an aged-stock action fires it once its transaction committed.
consignment_stock_changed = Hook("logistics.consignment_stock_changed", runs=Hook.INLINE)
# aged_stock_markdown(action): an agreed markdown of aged consignment stock is carried out; the
# partner zone lowers the listing's price for the units concerned (inline: the action is DONE only if
# the price changed with it). Required.
aged_stock_markdown = Hook("logistics.aged_stock_markdown", runs=Hook.INLINE)
# known_partner_skus(partnership, skus) -> the SKUs of `skus` the partner offered us (the partner zone
# mirrors its catalog). An advance shipment notice for any other SKU is refused. Inline. Required.
known_partner_skus = Hook("logistics.known_partner_skus", runs=Hook.INLINE)
# partner_shipment_progressed(shipment, status): a parcel we send from our warehouse to a partner's
# shopper (an order the partner forwarded) reached a new status (shipped, in transit, delivered...);
# the order side records it and tells the partner the line's status (inline, with the tracking relay).
partner_shipment_progressed = Hook("logistics.partner_shipment_progressed", runs=Hook.INLINE)
# checkout_stock_changed(take, give_back, consignment) -> {listing id: units left} of listings short
# of units: a checkout holds or gives back stock (stock.hold_for_checkout, release_for_checkout), or
# a stock-take adjustment or a write-off changes consignment units (stock.adjust, write_off: only
# `consignment`).
# `take` and `give_back` are {partner listing id: units} of direct-sale stock; `consignment` is
# {partner id: SKUs} whose consignment units were held or given back. The partner zone locks those
# listings by id (after the levels, which are locked first), moves their direct-sale units and
# sets their shown local stock. Inline, in the checkout's transaction. Required.
checkout_stock_changed = Hook("logistics.checkout_stock_changed", runs=Hook.INLINE)
# shipment_progressed(shipment, status): a last-leg or cross-border direct parcel reached a new
# status (shipped with its tracking number, in transit, delivered, failed). Inline, in the
# transaction that records it: the shop writes the shopper's notification with it.
shipment_progressed = Hook("logistics.shipment_progressed", runs=Hook.INLINE)
# reverse_consignment_sent(consignment, references): a reverse consignment left for the partner,
# carrying `references` (aged returns `aged:...`, returned units' allocations `reverse:...`);
# after-sales tells the partner of each returned unit in it. Inline, in its transaction. Required.
reverse_consignment_sent = Hook("logistics.reverse_consignment_sent", runs=Hook.INLINE)
