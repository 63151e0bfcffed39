"""Reads of logistics: consignment stock summed per SKU, its age from its lots, and the exporter's
view of its goods abroad. Each is one aggregate query whatever the number of SKUs."""

import datetime as dt

from django.db.models import Count, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from catalog.models import ProductVariant

from .models import (
    AGE_BUCKETS,
    AgedStockAction,
    Consignment,
    ConsignmentLine,
    GoodsAbroad,
    HandoffReport,
    Reservation,
    Shipment,
    StockLevel,
    StockLot,
    StockMovement,
)

Kind = StockMovement.Kind


def bucket_key(low, high):
    """ "0-90", ..., "366+": the age bucket's name in reports."""
    return f"{low}+" if high is None else f"{low}-{high}"


BUCKET_KEYS = tuple(bucket_key(low, high) for low, high in AGE_BUCKETS)


def _bucket_filters(now, prefix=""):
    """One condition per bucket on `received_at`: a unit is `age` whole days old when
    age * 1 day <= now - received_at < (age + 1) days, so age <= high <=> received_at > now - (high + 1) days."""
    field = f"{prefix}received_at"
    filters = {}
    for low, high in AGE_BUCKETS:
        condition = Q()
        if low > 0:
            condition &= Q(**{f"{field}__lte": now - dt.timedelta(days=low)})
        if high is not None:
            condition &= Q(**{f"{field}__gt": now - dt.timedelta(days=high + 1)})
        filters[bucket_key(low, high)] = condition
    return filters


def consignment_stock_by_sku(*, owner):
    """Per SKU of `owner`'s consignment stock, across our warehouses: on hand and reserved (graded
    returned units included: they are the owner's goods in our warehouse all the same)."""
    return (
        StockLevel.objects.filter(owner=owner)
        .values("sku")
        .annotate(on_hand=Coalesce(Sum("on_hand"), 0), reserved=Coalesce(Sum("reserved"), 0))
        .order_by("sku")
    )


def consignment_ages_by_sku(*, owner, now):
    """Per SKU of `owner`'s consignment stock: when its oldest unit still here arrived, and how many
    units fall in each age bucket (first-in first-out, from the lots' remaining units) at `now`."""
    buckets = {
        f"b{i}": Coalesce(Sum("remaining", filter=condition), 0)
        for i, condition in enumerate(_bucket_filters(now).values())
    }
    return (
        StockLot.objects.filter(stock__owner=owner, remaining__gt=0)
        .values("stock__sku")
        .annotate(oldest=Min("received_at"), **buckets)
        .order_by()
    )


def consignment_movements_by_sku(*, owner, after, until):
    """Per SKU of `owner`'s consignment stock, units that left or came back in (after, until]:
    sold (handed to the carrier), returned to stock, written off, sent back to the owner."""
    totals = {
        "sold": Coalesce(Sum(-F("picked_delta"), filter=Q(kind=Kind.SHIPPED)), 0),
        "returned": Coalesce(Sum("on_hand_delta", filter=Q(kind=Kind.RETURNED)), 0),
        "written_off": Coalesce(Sum(-F("on_hand_delta"), filter=Q(kind=Kind.WRITTEN_OFF)), 0),
        "sent_back": Coalesce(Sum(-F("on_hand_delta"), filter=Q(kind=Kind.SENT_BACK)), 0),
    }
    movements = StockMovement.objects.filter(
        stock__owner=owner,
        kind__in=(Kind.SHIPPED, Kind.RETURNED, Kind.WRITTEN_OFF, Kind.SENT_BACK),
        created_at__lte=until,
    )
    if after is not None:
        movements = movements.filter(created_at__gt=after)
    return movements.values("stock__sku").annotate(**totals).order_by()


def age_buckets_of_level(level, *, now):
    """Units of one stock level per age bucket at `now`, from its lots (one query)."""
    row = StockLot.objects.filter(stock=level, remaining__gt=0).aggregate(
        **{
            f"b{i}": Coalesce(Sum("remaining", filter=condition), 0)
            for i, condition in enumerate(_bucket_filters(now).values())
        }
    )
    return {key: row[f"b{i}"] for i, key in enumerate(BUCKET_KEYS)}


def goods_abroad(*, partnership=None, sku=None, aged_over_days=None, differing=False):
    """The exporter's goods in partners' warehouses, as their reports last said."""
    rows = GoodsAbroad.objects.select_related("partnership__partner", "variant")
    if partnership is not None:
        rows = rows.filter(partnership=partnership)
    if sku:
        rows = rows.filter(sku__icontains=sku)
    if aged_over_days is not None:
        rows = rows.filter(oldest_unit_age_days__gt=aged_over_days)
    if differing:
        rows = rows.exclude(on_hand=F("expected_on_hand"))
    return rows.order_by("partnership_id", "sku")


def received_good_by_sku(*, partnership, skus):
    """Units the partner receipted in good condition from our consignments, per SKU of `skus`."""
    rows = (
        ConsignmentLine.objects.filter(
            consignment__partnership=partnership,
            consignment__direction=Consignment.Direction.OUTBOUND,
            consignment__status=Consignment.Status.RECEIVED,
            counted__isnull=False,
            sku__in=skus,
        )
        .values("sku")
        .annotate(good=Sum(Greatest(F("counted") - F("damaged"), Value(0))))
        .order_by()
    )
    return {row["sku"]: row["good"] or 0 for row in rows}


def handoff_reports(*, partnership=None):
    """Handoff reports without their (possibly very long) lines."""
    rows = HandoffReport.objects.select_related("partnership__partner").defer("lines")
    if partnership is not None:
        rows = rows.filter(partnership=partnership)
    return rows


def has_consignment_stock(*, owner):
    return StockLevel.objects.filter(owner=owner).exists()


def graded_stock(*, owner=None, skus=(), own=False):
    """Sellable graded units (returned units offered at a grade) per (sku, grade): a partner's
    (`owner`) or our own (`own`), for these SKUs, in one query."""
    levels = StockLevel.objects.exclude(grade="").filter(sku__in=list(skus), warehouse__is_active=True)
    levels = levels.filter(owner__isnull=True) if own else levels.filter(owner=owner)
    rows = levels.values("sku", "grade").annotate(units=Sum(F("on_hand") - F("reserved"))).order_by()
    return {(row["sku"], row["grade"]): row["units"] for row in rows if row["units"] > 0}


def largest_sellable_level(*, owner=None, skus=()):
    """Per SKU of a partner's consignment stock (`owner`; None: our own goods), new units only:
    the sellable units of its largest level in an active warehouse, as a checkout line is served by
    one level (services.stock._allocate). One query; SKUs with no level are left out."""
    levels = StockLevel.objects.filter(grade="", sku__in=list(skus), warehouse__is_active=True)
    levels = levels.filter(owner__isnull=True) if owner is None else levels.filter(owner=owner)
    rows = levels.values("sku").annotate(units=Max(F("on_hand") - F("reserved"))).order_by()
    return {row["sku"]: max(row["units"] or 0, 0) for row in rows}


def held_to_send_back(*, partnership):
    """Returned units of the partner's held for the next reverse consignment (after-sales decided
    to send them back): the active `reverse:` allocations of its stock, oldest first. The reverse
    consignment takes them with the aged-stock returns (services.ageing.pending_returns)."""
    return (
        Reservation.objects.filter(
            status=Reservation.Status.ACTIVE, stock__owner_id=partnership.partner_id, reference__startswith="reverse:"
        )
        .select_related("stock")
        .order_by("created_at", "id")
    )


def received_at_of_unit(*, reservation_id, unit=1):
    """When the `unit`-th unit of an allocation came into its stock level: the receipt of the lot it
    left from, first in first out (for consignment stock, the first-leg consignment's receipt: the
    goods' customs entry into the bonded warehouse). Units taken from the level before its pick
    used up the lots in order, so the unit is the one at that position. None when it is not known
    (not picked yet, or stock from before lots)."""
    reservation = Reservation.objects.filter(pk=reservation_id).only("stock_id", "reference").first()
    if reservation is None:
        return None
    out = StockMovement.objects.filter(stock_id=reservation.stock_id, on_hand_delta__lt=0)
    pick = out.filter(reference=reservation.reference).order_by("id").first()
    if pick is None:
        return None
    taken_before = -(out.filter(id__lt=pick.id).aggregate(units=Sum("on_hand_delta"))["units"] or 0)
    position, running = taken_before + max(int(unit), 1), 0
    lots = StockLot.objects.filter(stock_id=reservation.stock_id, received_at__lte=pick.created_at)
    for received_at, quantity in lots.order_by("received_at", "id").values_list("received_at", "quantity"):
        running += quantity
        if running >= position:
            return received_at
    return None


def goods_abroad_by_product(products):
    """{(product id, partnership id): {"on_hand", "sold", "oldest_age_days", "reported_at"}}: our
    goods in partners' warehouses as their last stock and sales reports left them, summed over each
    product's SKUs. Two queries whatever the number of products."""
    product_of = dict(ProductVariant.objects.filter(product__in=products).values_list("sku", "product_id"))
    found = {}
    rows = GoodsAbroad.objects.filter(sku__in=list(product_of)).values_list(
        "partnership_id", "sku", "on_hand", "sold_total", "oldest_unit_age_days", "reported_at"
    )
    for partnership_id, sku, on_hand, sold, age, reported_at in rows:
        entry = found.setdefault(
            (product_of[sku], partnership_id), {"on_hand": 0, "sold": 0, "oldest_age_days": None, "reported_at": None}
        )
        entry["on_hand"] += on_hand
        entry["sold"] += sold
        if age is not None:
            entry["oldest_age_days"] = max(age, entry["oldest_age_days"] or 0)
        if reported_at is not None:
            entry["reported_at"] = max(reported_at, entry["reported_at"] or reported_at)
    return found


# --- a partner's record, for the partners app ----------------------------------------------------


def receipt_record(*, partnership, since):
    """Our first-leg consignments to the partner notified at or after `since`: when the notice went,
    when the partner's receipt came (None: not yet), lines shipped, lines counted short and lines
    with damaged units. One query."""
    rows = (
        Consignment.objects.filter(
            partnership=partnership, direction=Consignment.Direction.OUTBOUND, notified_at__gte=since
        )
        .exclude(status=Consignment.Status.CANCELLED)
        .annotate(
            line_total=Count("lines"),
            short=Count("lines", filter=Q(lines__counted__lt=F("lines__quantity"))),
            damaged_lines=Count("lines", filter=Q(lines__damaged__gt=0)),
        )
        .order_by("notified_at", "id")
        .values("reference", "notified_at", "received_at", "line_total", "short", "damaged_lines")
    )
    return [{**row, "reference": str(row["reference"])} for row in rows]


def stock_report_record(*, partnership, since):
    """The partner's stock reports of our goods received at or after `since`: how many, and how many
    disagreed with what we expected. One query."""
    found = HandoffReport.objects.filter(
        partnership=partnership,
        kind=HandoffReport.Kind.STOCK,
        direction=HandoffReport.Direction.RECEIVED,
        created_at__gte=since,
    ).aggregate(reports=Count("id"), disagreeing=Count("id", filter=Q(discrepancies__gt=0)))
    return {"reports": found["reports"] or 0, "disagreeing": found["disagreeing"] or 0}


def aged_decision_record(*, partnership, since):
    """Aged consignment stock we proposed to the partner at or after `since` (markdown, return or
    liquidation): when proposed and when it decided (None: not yet). One query."""
    return list(
        AgedStockAction.objects.filter(partnership=partnership, stock__isnull=False, created_at__gte=since)
        .order_by("created_at", "id")
        .values("reference", "action", "created_at", "decided_at")
    )


def consignment_sell_through(*, partner, since):
    """The partner's consignment stock in our warehouses: units shipped to shoppers since `since`
    and units on hand now. Two queries."""
    shipped = StockMovement.objects.filter(
        stock__owner=partner, kind=StockMovement.Kind.SHIPPED, created_at__gte=since
    ).aggregate(units=Sum("on_hand_delta"))["units"]
    on_hand = StockLevel.objects.filter(owner=partner).aggregate(units=Sum("on_hand"))["units"]
    return {"sold": -(shipped or 0), "on_hand": on_hand or 0}


def references_with_tracking(references):
    """Which of these order-line references have a parcel with at least one tracking event. One
    query."""
    return set(
        Shipment.objects.filter(order_line__in=list(references), events__isnull=False)
        .values_list("order_line", flat=True)
        .distinct()
    )


# --- the ops dashboard's reads (one or two queries each, whatever the number of partners) ---------


def consignment_stock_ages(*, now, partner_code=None):
    """Partners' consignment stock in our warehouses per owner and age bucket at `now` (first in
    first out, from the lots' remaining units): [{partner, partner_name, bucket, units}], one query."""
    lots = StockLot.objects.filter(stock__owner__isnull=False, remaining__gt=0)
    if partner_code:
        lots = lots.filter(stock__owner__code=partner_code)
    buckets = {
        f"b{i}": Coalesce(Sum("remaining", filter=condition), 0)
        for i, condition in enumerate(_bucket_filters(now).values())
    }
    rows = lots.values("stock__owner__code", "stock__owner__name").annotate(**buckets).order_by("stock__owner__code")
    return [
        {
            "partner": row["stock__owner__code"],
            "partner_name": row["stock__owner__name"],
            "bucket": key,
            "units": row[f"b{i}"],
        }
        for row in rows
        for i, key in enumerate(BUCKET_KEYS)
    ]


def first_leg_comparisons(*, since, partner_code=None):
    """Received first-leg consignments (ours out, partners' in) since `since` that carry a cost,
    each with its comparison against international express: [(consignment, CostComparison)], in
    three queries (consignments with their partner, their lines, the express rates)."""
    from .models import ExpressRate
    from .services.first_leg import cost_comparison

    consignments = (
        Consignment.objects.filter(
            status=Consignment.Status.RECEIVED,
            direction__in=(Consignment.Direction.OUTBOUND, Consignment.Direction.INBOUND),
            received_at__gte=since,
            first_leg_cost__isnull=False,
        )
        .select_related("partnership__partner")
        .prefetch_related("lines")
        .order_by("received_at", "id")
    )
    if partner_code:
        consignments = consignments.filter(partnership__partner__code=partner_code)
    consignments = list(consignments)
    rates = list(ExpressRate.objects.all()) if consignments else []
    return [
        (c, cost_comparison(c, lines=sorted(c.lines.all(), key=lambda line: line.id), express_rates=rates))
        for c in consignments
    ]
