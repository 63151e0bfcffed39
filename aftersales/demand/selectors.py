"""Reads of the demand reports: the figures of the report we send a partner (from the partner
zone's shopper history, the shop's orders and after-sales' returns), and what the reports partners
sent us say about a merchant's own products (matched by SKU) and their categories.

Every figure is counted over distinct shoppers (a logged-in user, else an anonymous browser's
history id; a returning shopper by the order's e-mail) and left out when fewer than
`min_shoppers` made it: the report never carries a count that could point at one person."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Cast, Coalesce, Lower

from aftersales.choices import ReturnReason
from catalog.selectors import category_tree
from partner_zone.models import PartnerListing, ShopperEvent
from payments.models import OrderLine

from ..models import ReturnLine, ReturnRequest
from .models import DemandReport

MAX_SEARCHES = 200  # the searches most shoppers made, per report
MAX_PRODUCTS = 500  # the products most shoppers viewed or returned, per report


@dataclass(frozen=True)
class Window:
    """The days a report covers: `days` days ending with `day` (UTC), [since, until)."""

    day: dt.date
    days: int

    @property
    def since(self):
        first = self.day - dt.timedelta(days=self.days - 1)
        return dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)

    @property
    def until(self):
        return dt.datetime.combine(self.day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def _shopper():
    """Who made an event: the user, else the browser's anonymous history id."""
    return Coalesce(Cast("user_id", CharField()), "session_key")


def _events(window, kind):
    return ShopperEvent.objects.filter(kind=kind, created_at__gte=window.since, created_at__lt=window.until)


# --- what we send --------------------------------------------------------------------------------


def unmet_searches(partnership, window, *, few_results, min_shoppers):
    """Searches in the partner's zone that found at most `few_results` of its listings, grouped by
    the query (case folded), made by at least `min_shoppers` shoppers; most shoppers first."""
    rows = (
        _events(window, ShopperEvent.Kind.SEARCH)
        .filter(partnership=partnership, result_count__lte=few_results)
        .annotate(term=Lower("query"), shopper=_shopper())
        .values("term")
        .annotate(
            searches=Count("id"),
            shoppers=Count("shopper", distinct=True),
            results=Max("result_count"),
            category=Max("category_id"),
        )
        .filter(shoppers__gte=min_shoppers)
        .order_by("-shoppers", "-searches", "term")[:MAX_SEARCHES]
    )
    return [
        {
            "query": row["term"],
            "searches": row["searches"],
            "shoppers": row["shoppers"],
            "results": row["results"],
            "category": row["category"],
        }
        for row in rows
    ]


def _views(partnership, window, min_shoppers):
    rows = (
        _events(window, ShopperEvent.Kind.VIEW)
        .filter(listing__partnership=partnership)
        .annotate(shopper=_shopper())
        .values("listing_id")
        .annotate(views=Count("id"), viewers=Count("shopper", distinct=True))
        .filter(viewers__gte=min_shoppers)
        .order_by("-viewers", "-views", "listing_id")[:MAX_PRODUCTS]
    )
    return {row["listing_id"]: row for row in rows}


def _returns(partnership, window, min_shoppers):
    """{listing id: [{sku, reason, units, shoppers}]}: returns opened in the window (not those the
    shopper cancelled) of the partner's goods, per SKU and reason, from enough shoppers."""
    rows = (
        ReturnLine.objects.filter(
            order_line__partnership=partnership,
            request__created_at__gte=window.since,
            request__created_at__lt=window.until,
        )
        .exclude(request__status=ReturnRequest.Status.CANCELLED)
        .values("order_line__listing_id", "order_line__sku", "request__reason")
        .annotate(units=Sum("quantity"), shoppers=Count("request__order__email", distinct=True))
        .filter(shoppers__gte=min_shoppers)
        .order_by("order_line__listing_id", "order_line__sku", "-units", "request__reason")
    )
    found = defaultdict(list)
    for row in rows:
        found[row["order_line__listing_id"]].append(
            {
                "sku": row["order_line__sku"],
                "reason": row["request__reason"],
                "units": row["units"],
                "shoppers": row["shoppers"],
            }
        )
    return found


def _orders(partnership, window, listing_ids):
    rows = (
        OrderLine.objects.filter(
            partnership=partnership,
            listing_id__in=listing_ids,
            order__paid_at__gte=window.since,
            order__paid_at__lt=window.until,
        )
        .values("listing_id")
        .annotate(orders=Count("order_id", distinct=True), units=Sum("quantity"))
    )
    return {row["listing_id"]: row for row in rows}


def product_demand(partnership, window, *, min_shoppers):
    """The partner's products our shoppers viewed (views, distinct viewers, paid orders and units
    bought) or returned (reasons per SKU), each figure from at least `min_shoppers` shoppers.
    Four queries whatever the number of products."""
    views = _views(partnership, window, min_shoppers)
    returns = _returns(partnership, window, min_shoppers)
    listing_ids = sorted(set(views) | set(returns))
    orders = _orders(partnership, window, listing_ids)
    listings = PartnerListing.objects.filter(pk__in=listing_ids).only("id", "reference", "variants", "title")
    products = []
    for listing in listings:
        seen, bought = views.get(listing.pk, {}), orders.get(listing.pk, {})
        products.append(
            {
                "product": str(listing.reference),
                "skus": [variant["sku"] for variant in listing.variants],
                "title": listing.title,
                "views": seen.get("views", 0),
                "viewers": seen.get("viewers", 0),
                "orders": bought.get("orders", 0),
                "units": bought.get("units", 0),
                "returns": returns.get(listing.pk, []),
            }
        )
    products.sort(key=lambda row: (-row["viewers"], -sum(r["units"] for r in row["returns"]), row["product"]))
    return products[:MAX_PRODUCTS]


# --- what partners sent us, for our merchants ---------------------------------------------------------


@dataclass
class PartnerDemand:
    """One partner's latest report about one of our products."""

    partner: str
    day: dt.date
    window_days: int
    views: int = 0
    viewers: int = 0
    orders: int = 0
    units: int = 0
    returns: list = field(default_factory=list)  # [(reason label, units)], most first

    @property
    def returned_units(self):
        return sum(units for _label, units in self.returns)


@dataclass
class UnmetSearch:
    partner: str
    query: str
    shoppers: int
    searches: int
    results: int


def latest_received_reports():
    """The newest report each partner sent us: one query."""
    newest = (
        DemandReport.objects.filter(partnership=OuterRef("partnership"), direction=DemandReport.Direction.RECEIVED)
        .order_by("-day")
        .values("day")[:1]
    )
    return list(
        DemandReport.objects.filter(direction=DemandReport.Direction.RECEIVED, day=Subquery(newest))
        .select_related("partnership__partner")
        .order_by("partnership__partner__name")
    )


def _reason_label(value):
    try:
        return str(ReturnReason(value).label)
    except ValueError:
        return value


def demand_by_product(skus_by_product, reports):
    """{product id: [PartnerDemand]} for our products (given as {product id: [its SKUs]}), from the
    partners' `reports` (latest_received_reports): a partner's line is ours when one of its SKUs is."""
    product_of = {sku: product_id for product_id, skus in skus_by_product.items() for sku in skus}
    found = defaultdict(list)
    for report in reports:
        for line in report.payload.get("products", []):
            owners = {product_of[sku] for sku in line.get("skus", []) if sku in product_of}
            for product_id in sorted(owners):
                found[product_id].append(partner_demand(report, line))
    return found


def partner_demand(report, line):
    reasons = defaultdict(int)
    for returned in line.get("returns", []):
        reasons[_reason_label(returned["reason"])] += returned["units"]
    return PartnerDemand(
        partner=report.partnership.partner.name,
        day=report.day,
        window_days=report.window_days,
        views=line.get("views", 0),
        viewers=line.get("viewers", 0),
        orders=line.get("orders", 0),
        units=line.get("units", 0),
        returns=sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
    )


def category_family(category_id):
    """The ids of a category, its ancestors and its descendants (from the cached tree)."""
    tree = category_tree(category_id)
    return {tree.category.pk, *(node.pk for node in tree.ancestors), *tree.subtree_ids}


def unmet_searches_for(category_ids, reports, *, limit=8):
    """What partners' shoppers searched for and found too little of, in these categories (or in
    none: a search that found nothing was narrowed to no category), most shoppers first."""
    found = [
        UnmetSearch(
            partner=report.partnership.partner.name,
            query=search["query"],
            shoppers=search["shoppers"],
            searches=search["searches"],
            results=search["results"] or 0,
        )
        for report in reports
        for search in report.payload.get("searches", [])
        if search.get("category") is None or search["category"] in category_ids
    ]
    found.sort(key=lambda search: (-search.shoppers, -search.searches, search.query))
    return found[:limit]
