"""Where later apps plug into logistics without logistics importing them (DESIGN.md section 2):
registries of callables that logistics' services call.

The older registries are plain lists. A `Hook` says when its subscribers run (inside the caller's
transaction, or after it commits) and whether logistics may act without one: a required hook with
no subscriber makes the service refuse rather than claim something happened that did not."""

from django.db import transaction

# fee_accrued(accrual): a StorageFeeAccrual was written (payments books it to the ledger).
fee_accrued = []
# consignment_stock_changed(partnership, skus): sellable consignment stock changed (the partner zone
# shows goods in the local warehouse as shipping from it).
consignment_stock_changed = []


class Hook:
    """A point where a later app plugs into logistics. `in_transaction`: subscribers run inside the
    caller's transaction, so what they write commits or rolls back with the caller's change and an
    error refuses that change; otherwise they run after it commits. A later app subscribes from its
    AppConfig.ready (through its handlers module), once."""

    def __init__(self, name, *, in_transaction):
        self.name = name
        self.in_transaction = in_transaction
        self._subscribers = []

    def __repr__(self):
        return f"<Hook {self.name}: {len(self._subscribers)} subscriber(s)>"

    def __bool__(self):
        return bool(self._subscribers)

    @property
    def subscribers(self):
        return tuple(self._subscribers)

    def subscribe(self, subscriber):
        """Add `subscriber` once (a module imported twice must not run it twice); returns it."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)
        return subscriber

    def unsubscribe(self, subscriber):
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def call(self, *args, **kwargs):
        """Run every subscriber with these arguments: now, returning their answers in order (in
        transaction), or after the caller's transaction commits (returning nothing)."""
        subscribers = list(self._subscribers)
        if self.in_transaction:
            return [subscriber(*args, **kwargs) for subscriber in subscribers]
        transaction.on_commit(lambda: [subscriber(*args, **kwargs) for subscriber in subscribers])
        return []


# aged_stock_markdown(action) -> None: an agreed markdown of aged consignment stock is carried out;
# the partner zone lowers the listing's price for the units concerned (runs in the caller's
# transaction: the action is DONE only if the price changed with it). Required.
aged_stock_markdown = Hook("aged_stock_markdown", in_transaction=True)
# known_partner_skus(partnership, skus) -> the SKUs of `skus` the partner offered us (the partner zone
# mirrors its catalog). An advance shipment notice for any other SKU is refused. Required.
known_partner_skus = Hook("known_partner_skus", in_transaction=True)
# partner_shipment_progressed(shipment, status): a parcel we send from our warehouse to a partner's
# shopper (an order the partner forwarded) reached a new status (shipped, in transit, delivered...);
# the order side records it and tells the partner the line's status (runs in the caller's
# transaction, with the tracking relay).
partner_shipment_progressed = Hook("partner_shipment_progressed", in_transaction=True)


def call(hooks, *args, **kwargs):
    if isinstance(hooks, Hook):
        return hooks.call(*args, **kwargs)
    for hook in list(hooks):
        hook(*args, **kwargs)
    return None
