"""Registries later apps (payments) use to react to the partner zone without being imported here."""

# listing_priced(listing): a listing's shown price changed (carts holding a quote may re-quote).
listing_priced = []


def call(hooks, *args, **kwargs):
    for hook in list(hooks):
        hook(*args, **kwargs)
