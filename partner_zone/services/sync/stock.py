"""The bridge to the consignment stock in our warehouses: a partner listing's local stock and
where it ships from, the SKUs a partner's feed offered (for logistics' advance shipment
notices), and refreshing listings when that stock moves."""

import json

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from logistics.selectors import consignment_stock_by_sku
from partner_zone.models import PartnerListing

from .changes import after_change


def sellable_by_sku(partner, skus):
    """Sellable consignment units (on hand less reserved) of `partner` per SKU, in one query."""
    skus = {sku for sku in skus if sku}
    if not skus:
        return {}
    rows = consignment_stock_by_sku(owner=partner).filter(sku__in=list(skus), grade="")  # graded units sell apart
    return {row["sku"]: max(row["on_hand"] - row["reserved"], 0) for row in rows}


def local_stock_of(variants, sellable):
    return sum(sellable.get(v["sku"], 0) for v in variants if v.get("is_active", True))


def ships_from(local_stock):
    return PartnerListing.ShipsFrom.LOCAL if local_stock > 0 else PartnerListing.ShipsFrom.DIRECT


def _mentions(skus):
    """A text prefilter on the stored variants JSON for listings naming any of `skus` (PostgreSQL
    and SQLite alike); the caller checks the variants exactly."""
    mentions = Q()
    for sku in skus:
        # SQLite keeps the JSON as Django wrote it (ASCII escapes), PostgreSQL as characters.
        for spelled in {json.dumps(sku), json.dumps(sku, ensure_ascii=False)}:
            mentions |= Q(variants__icontains=f'"sku": {spelled}')
    return mentions


def offered_skus(partnership, skus):
    """The SKUs of `skus` that the partner's catalog feed ever offered us: a variant of one of its
    mirrored listings, withdrawn ones included (goods already on their way when an offer ends
    still arrive). logistics.hooks.known_partner_skus: the check of an advance shipment notice."""
    skus = {sku for sku in skus if sku}
    if not skus:
        return set()
    variants = PartnerListing.objects.filter(_mentions(skus), partnership=partnership).values_list(
        "variants", flat=True
    )
    return {v.get("sku") for listed in variants for v in listed if v.get("sku") in skus}


def listing_offering(partnership, sku):
    """The partner's active listing in our zone with a variant `sku`, or None."""
    candidates = PartnerListing.objects.filter(_mentions({sku}), partnership=partnership, is_active=True)
    return next(
        (listing for listing in candidates.order_by("pk") if any(v.get("sku") == sku for v in listing.variants)), None
    )


def refresh_local_stock(partnership, skus):
    """Recompute local_stock and ships_from of the partner's listings holding these SKUs (the
    consignment stock in our warehouses changed), in bulk; then tell pricing."""
    skus = {sku for sku in skus if sku}
    if not skus:
        return []
    with transaction.atomic():
        return _show_local_stock(
            _locked(_mentions(skus) & Q(partnership__partner=partnership.partner_id)), {partnership.partner_id: skus}
        )


def follow_checkout_holds(*, take, give_back, consignment):
    """A checkout held or gave back stock (logistics.hooks.checkout_stock_changed, in its
    transaction, after the levels' locks): the listings concerned are locked by id, their direct-
    sale units move (`take`, `give_back`: {listing id: units}), and those showing consignment SKUs
    of `consignment` ({partner id: SKUs}) show the units left. Returns {listing id: units left} of
    the listings with fewer direct-sale units than `take` asks, changing nothing then (the caller
    refuses and rolls back)."""
    query = Q(pk__in=set(take) | set(give_back))
    for partner_id, skus in consignment.items():
        query |= _mentions(skus) & Q(partnership__partner=partner_id)
    listings = _locked(query, "direct_stock")
    short = {}
    for listing in listings:
        delta = give_back.get(listing.pk, 0) - take.get(listing.pk, 0)
        if listing.direct_stock + delta < 0:
            short[listing.pk] = listing.direct_stock + give_back.get(listing.pk, 0)
        elif delta:
            PartnerListing.objects.filter(pk=listing.pk).update(direct_stock=F("direct_stock") + delta)
    if not short and consignment:
        _show_local_stock(listings, consignment)
    return short


def _locked(query, *fields):
    return list(
        PartnerListing.objects.select_for_update(of=("self",))
        .filter(query)
        .select_related("partnership")
        .only("pk", "variants", "local_stock", "ships_from", "updated_at", "partnership__partner", *fields)
        .order_by("pk")
    )


def _show_local_stock(listings, consignment):
    """Set local_stock and ships_from of the locked `listings` that hold a SKU of `consignment`
    ({partner id: SKUs}) from the sellable consignment units; after the commit, reprice those whose
    origin flipped and tell the zone's subscribers. Returns the ids of the listings changed."""
    holding = [
        listing
        for listing in listings
        if any(v.get("sku") in consignment.get(listing.partnership.partner_id, ()) for v in listing.variants)
    ]
    changed, flipped, now = [], [], timezone.now()
    for partner_id in {listing.partnership.partner_id for listing in holding}:
        theirs = [listing for listing in holding if listing.partnership.partner_id == partner_id]
        sellable = sellable_by_sku(partner_id, {v.get("sku") for listing in theirs for v in listing.variants})
        for listing in theirs:
            stock = local_stock_of(listing.variants, sellable)
            if stock != listing.local_stock or ships_from(stock) != listing.ships_from:
                if ships_from(stock) != listing.ships_from:
                    flipped.append(listing.pk)
                listing.local_stock, listing.ships_from = stock, ships_from(stock)
                listing.updated_at = now  # the zone's pages are cached by their listings' updated_at
                changed.append(listing)
    PartnerListing.objects.bulk_update(changed, ["local_stock", "ships_from", "updated_at"])
    ids = [listing.pk for listing in changed]
    transaction.on_commit(lambda: after_change(ids, to_price=flipped))
    return ids
