"""Reads of after-sales for pages, the admin and the services: which lines of an order can still be
returned (delivered, units left, window open), and a return with everything its page shows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, Sum

from catalog.models import ProductVariant
from logistics.models import Shipment
from payments.models import Order, OrderEvent

from .choices import Disposition, Grade
from .models import (
    Message,
    PartnerReturnNotice,
    ReceivedDisposition,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    ReturnUnit,
    ReviewTally,
    ServiceProvider,
)
from .returns.services import policy as policies

# A return that is not refused or called off holds its units: they cannot be returned again.
CLOSED = (ReturnRequest.Status.REJECTED, ReturnRequest.Status.CANCELLED)


@dataclass(frozen=True)
class ReturnableLine:
    """An order line as the return form shows it. `delivered_at` None: not delivered yet."""

    line: object  # payments.models.OrderLine
    delivered_at: object
    returned: int
    policy: dict | None

    @property
    def remaining(self):
        return max(self.line.quantity - self.returned, 0)

    @property
    def window_ends(self):
        return dt.datetime.fromisoformat(self.policy["window_ends"]) if self.policy else None

    def is_returnable(self, now=None):
        return bool(self.policy) and self.remaining > 0 and policies.window_open(self.policy, now=now)


def delivered_at(order, lines):
    """{order line id: when it was delivered}: its last-leg parcels all delivered (the latest of
    them), else the time ops marked the whole order delivered. Two queries."""
    references = {line.reference: line for line in lines}
    parcels = {}
    for reference, status, at in (
        Shipment.objects.filter(order_line__in=list(references))
        .exclude(status=Shipment.Status.CANCELLED)
        .values_list("order_line", "status", "delivered_at")
    ):
        parcels.setdefault(reference, []).append(at if status == Shipment.Status.DELIVERED else None)
    marked = (
        OrderEvent.objects.filter(order=order, status=Order.Status.DELIVERED)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    found = {}
    for reference, line in references.items():
        times = parcels.get(reference)
        if times and all(times):
            found[line.pk] = max(times)
        elif order.status == Order.Status.DELIVERED and marked is not None:
            found[line.pk] = marked
    return found


def returned_units(lines):
    """{order line id: units in returns that still hold them}."""
    rows = (
        ReturnLine.objects.filter(order_line__in=lines)
        .exclude(request__status__in=CLOSED)
        .values("order_line")
        .annotate(units=Sum("quantity"))
    )
    return {row["order_line"]: row["units"] for row in rows}


def returnable_lines(order):
    """Every line of the order with its delivery, units already in returns and return policy."""
    lines = list(
        order.lines.select_related("partnership__partner", "listing", "variant__product").order_by("line_number")
    )
    for line in lines:
        line.order = order
    delivered = delivered_at(order, lines)
    returned = returned_units(lines)
    return [
        ReturnableLine(
            line=line,
            delivered_at=delivered.get(line.pk),
            returned=returned.get(line.pk, 0),
            policy=policies.line_policy(line, delivered_at=delivered[line.pk]) if line.pk in delivered else None,
        )
        for line in lines
    ]


def order_has_returnable_lines(order, now=None):
    return order.status in (Order.Status.SHIPPED, Order.Status.DELIVERED) and any(
        found.is_returnable(now) for found in returnable_lines(order)
    )


def return_by_token(token):
    """A return with its order, lines, units, timeline and thread: a fixed number of queries."""
    return (
        ReturnRequest.objects.filter(token=token)
        .select_related("order", "warehouse", "thread")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ReturnLine.objects.select_related("order_line").prefetch_related(
                    Prefetch("units", queryset=ReturnUnit.objects.order_by("number"))
                ),
            ),
            Prefetch("events", queryset=shopper_timeline(ReturnEvent.objects.all())),
            Prefetch("thread__messages", queryset=Message.objects.order_by("created_at", "pk")),
        )
        .first()
    )


def shopper_timeline(events):
    """The steps a shopper reads: not what becomes of each returned unit afterwards (the disposition
    events are the ops' audit trail and the partner's business)."""
    return events.exclude(detail__has_key="disposition").order_by("created_at", "pk")


def returns_of_order(order):
    """The order's returns, newest first, each with its lines and their goods (two queries)."""
    lines = ReturnLine.objects.select_related("order_line").order_by("order_line__line_number")
    return list(
        ReturnRequest.objects.filter(order=order)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-created_at")
    )


def admin_returns():
    """The admin's list of returns: order, warehouse and counts in one query."""
    return ReturnRequest.objects.select_related("order", "warehouse").annotate(
        unit_count=Count("lines__units", distinct=True),
        unread=Count(
            "thread__messages",
            filter=Q(thread__messages__author=Message.Author.SHOPPER, thread__messages__read_by_staff_at__isnull=True),
            distinct=True,
        ),
    )


def returns_of_orders(orders):
    """The returns and exchanges of these orders, newest first (a shopper's account page): one query."""
    return list(ReturnRequest.objects.filter(order__in=orders).select_related("order").order_by("-created_at", "-pk"))


# --- the merchant's view of returns of its goods (payments.hooks.merchant_line_returns) -----------


def _unit_row(grade, disposition, why):
    return {
        "grade": Grade(grade).label if grade else "",
        "disposition": Disposition(disposition).label if disposition else "",
        "why": why,
    }


def merchant_line_returns(*, home_lines, abroad_lines):
    """{("home", order line id) | ("abroad", line reference): [return]} for the merchant's orders
    page: our shoppers' returns of the lines with each unit's grade and disposition (two queries),
    and what partners reported of returns of our goods abroad (notices and dispositions, two)."""
    found = {}
    home_ids = [line.pk for line in home_lines]
    if home_ids:
        units = ReturnUnit.objects.order_by("number")
        returned = (
            ReturnLine.objects.filter(order_line_id__in=home_ids)
            .select_related("request")
            .prefetch_related(Prefetch("units", queryset=units))
            .order_by("request__created_at", "pk")
        )
        for line in returned:
            request = line.request
            found.setdefault(("home", line.order_line_id), []).append(
                {
                    "number": request.number,
                    "status": request.get_status_display(),
                    "kind": request.get_kind_display(),
                    "quantity": line.quantity,
                    "reason": request.get_reason_display(),
                    "at": request.created_at,
                    "units": [
                        _unit_row(unit.grade, unit.disposition, unit.disposition_reason) for unit in line.units.all()
                    ],
                }
            )
    references = {line.reference: line for line in abroad_lines}
    if references:
        partnerships = {line.order.partnership_id for line in abroad_lines}
        latest = {}
        for notice in PartnerReturnNotice.objects.filter(partnership_id__in=partnerships).order_by("occurred_at", "pk"):
            for item in notice.lines:
                if item.get("line") in references and item.get("sku") == references[item["line"]].sku:
                    latest[(item["line"], notice.return_reference)] = (notice, item)
        decided = {}
        for unit in ReceivedDisposition.objects.filter(order_line__in=list(references)).order_by("unit"):
            decided.setdefault(unit.order_line, []).append(_unit_row(unit.grade, unit.disposition, unit.reason))
        for (reference, _return), (notice, item) in latest.items():
            found.setdefault(("abroad", reference), []).append(
                {
                    "number": str(notice.return_reference)[:8],
                    "status": notice.get_step_display(),
                    "kind": "",
                    "quantity": item.get("quantity", 0),
                    "reason": notice.get_reason_display(),
                    "at": notice.occurred_at,
                    "units": decided.get(reference, []),
                }
            )
        for reference, units in decided.items():
            if ("abroad", reference) not in found:  # a disposition whose notice we never had
                found[("abroad", reference)] = [
                    {
                        "number": "",
                        "status": "",
                        "kind": "",
                        "quantity": len(units),
                        "reason": "",
                        "at": None,
                        "units": units,
                    }
                ]
    return found


def merchant_returned_lines(*, merchant):
    """{"home": order line ids, "abroad": line references} of the merchant's goods with a return:
    the home ones as a subquery, the abroad ones from the partners' notices and dispositions."""
    skus = set(ProductVariant.objects.filter(product__merchant=merchant).values_list("sku", flat=True))
    home = ReturnLine.objects.filter(order_line__variant__product__merchant=merchant).values("order_line_id")
    abroad = set(ReceivedDisposition.objects.filter(sku__in=skus).values_list("order_line", flat=True))
    for lines in PartnerReturnNotice.objects.values_list("lines", flat=True):
        abroad.update(item.get("line") for item in lines if item.get("sku") in skus)
    return {"home": home, "abroad": abroad}


# --- a partner's record, for the partners app ----------------------------------------------------


def partner_goods_aftersales(*, partnership, since):
    """What our shoppers said of the partner's goods: units asked back in returns opened since
    `since` (exchanges included), and the reviews shown here of its listings (count, rating sum).
    Two queries."""
    returned = ReturnLine.objects.filter(order_line__partnership=partnership, request__created_at__gte=since).aggregate(
        units=Sum("quantity")
    )["units"]
    tallies = ReviewTally.objects.filter(listing__partnership=partnership).aggregate(
        count=Sum("count"), rating_sum=Sum("rating_sum")
    )
    return {
        "returned_units": returned or 0,
        "reviews": tallies["count"] or 0,
        "rating_sum": tallies["rating_sum"] or 0,
    }


def installation_providers():
    """Active local service providers offering installation. One query."""
    return ServiceProvider.objects.filter(is_active=True, skills__skill__code="installation").distinct().count()


def partner_goods_returned(*, since, partner_code=None):
    """Units of partners' goods shoppers sent back (returns and exchanges not rejected or cancelled)
    out of orders paid since `since`, per partner: [{partner, partner_name, units}], one query.
    With payments' partner_goods_sold_per_day over the same period it gives the return rate."""
    lines = ReturnLine.objects.filter(
        order_line__partnership__isnull=False, order_line__order__paid_at__gte=since
    ).exclude(request__status__in=(ReturnRequest.Status.REJECTED, ReturnRequest.Status.CANCELLED))
    if partner_code:
        lines = lines.filter(order_line__partnership__partner__code=partner_code)
    rows = (
        lines.values("order_line__partnership__partner__code", "order_line__partnership__partner__name")
        .annotate(units=Sum("quantity"))
        .order_by("order_line__partnership__partner__code")
    )
    return [
        {
            "partner": row["order_line__partnership__partner__code"],
            "partner_name": row["order_line__partnership__partner__name"],
            "units": row["units"],
        }
        for row in rows
    ]
