"""The bridge to the consignment stock in our warehouses: a partner listing's local stock and
where it ships from, the SKUs a partner's feed offered (for logistics' advance shipment
notices), and refreshing listings when that stock moves."""

import json

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from logistics.selectors import consignment_stock_by_sku
from partner_zone.models import PartnerListing

from .changes import after_change


def sellable_by_sku(partner, skus):
    """Sellable consignment units (on hand less reserved) of `partner` per SKU, in one query."""
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
    partner = partnership.partner
    with transaction.atomic():
        candidates = list(
            PartnerListing.objects.select_for_update(of=("self",))
            .filter(_mentions(skus), partnership__partner=partner)
            .only("pk", "variants", "local_stock", "ships_from", "updated_at")
            .order_by("pk")
        )
        holding = [listing for listing in candidates if any(v.get("sku") in skus for v in listing.variants)]
        all_skus = {v.get("sku") for listing in holding for v in listing.variants if v.get("sku")}
        sellable = sellable_by_sku(partner, all_skus)
        changed, now = [], timezone.now()
        for listing in holding:
            stock = local_stock_of(listing.variants, sellable)
            if stock != listing.local_stock or ships_from(stock) != listing.ships_from:
                listing.local_stock = stock
                listing.ships_from = ships_from(stock)
                listing.updated_at = now  # the zone's pages are cached by their listings' updated_at
                changed.append(listing)
        PartnerListing.objects.bulk_update(changed, ["local_stock", "ships_from", "updated_at"])
        ids = [listing.pk for listing in changed]
        transaction.on_commit(lambda: after_change(ids))
    return ids
