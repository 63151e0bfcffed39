"""Reads of the merchant's orders pages: the lines of its goods sold at home (our shoppers' orders)
and abroad (lines of orders partners forwarded us: cross-border direct ones, which the merchant
ships, and consignment ones, which the partner serves from our goods in its warehouse), one list
with filters, and one line with its history, tracking and returns. Each page runs a fixed number
of queries whatever the number of lines."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext as _

from catalog.models import ProductVariant
from logistics.carriers import carrier_name
from logistics.models import Shipment

from .. import hooks
from .models import ForwardedLine, Fulfilment, Order, OrderLine, Origin

HOME, ABROAD = "home", "abroad"
WHERE = (HOME, ABROAD)
LineStatus = ForwardedLine.Status
# Where a line of either kind can stand (a home line's is its delivery's, or awaiting stock).
STATUSES = LineStatus
TO_SHIP = (LineStatus.ALLOCATED, LineStatus.PICKED, LineStatus.PACKED)
SOLD = (Order.Status.PAID, Order.Status.SHIPPED, Order.Status.DELIVERED, Order.Status.CANCELLED)


@dataclass(frozen=True)
class LineFilters:
    """What the orders list is narrowed to; empty values mean no narrowing."""

    where: str = ""
    status: str = ""
    partner: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    number: str = ""
    with_returns: bool = False


def merchant_skus(merchant):
    return ProductVariant.objects.filter(product__merchant=merchant).values("sku")


def _line_reference():
    """A home line's name on both platforms (OrderLine.reference), computed in SQL."""
    return Concat(
        Value(f"order:{settings.PLATFORM_CODE}:"),
        Cast("order__number", CharField()),
        Value(":"),
        Cast("line_number", CharField()),
        output_field=CharField(),
    )


def home_lines(merchant):
    """The merchant's goods on our shoppers' paid orders, each with its reference and status."""
    delivery = Shipment.objects.filter(order_line=OuterRef("line_ref"), sku=OuterRef("sku")).values("status")[:1]
    return (
        OrderLine.objects.filter(
            origin=Origin.OWN, variant__product__merchant=merchant, order__status__in=SOLD, order__paid_at__isnull=False
        )
        .annotate(
            line_ref=_line_reference(),
            line_status=Coalesce(
                Subquery(delivery, output_field=CharField()),
                Case(
                    When(order__status=Order.Status.CANCELLED, then=Value(LineStatus.CANCELLED.value)),
                    default=Value(LineStatus.AWAITING_STOCK.value),
                    output_field=CharField(),
                ),
            ),
        )
        .select_related("order", "variant__product__merchant")
    )


def abroad_lines(merchant):
    """The lines of orders partners forwarded us for the merchant's goods, direct and consignment."""
    return ForwardedLine.objects.filter(sku__in=merchant_skus(merchant)).select_related("order__partnership__partner")


def _narrowed(merchant, filters):
    home, abroad = home_lines(merchant), abroad_lines(merchant)
    if filters.status:
        home = home.filter(line_status=filters.status)
        abroad = abroad.filter(status=filters.status)
    if filters.since:
        home = home.filter(order__placed_at__date__gte=filters.since)
        abroad = abroad.filter(order__placed_at__date__gte=filters.since)
    if filters.until:
        home = home.filter(order__placed_at__date__lte=filters.until)
        abroad = abroad.filter(order__placed_at__date__lte=filters.until)
    if filters.number:
        # "1042", "#1042", or a partner's order as the list shows it: "us #5001".
        partner, _hash, number = filters.number.strip().rpartition("#")
        number, partner = number.strip(), partner.strip()
        home = home.filter(order__number=int(number)) if number.isdigit() and not partner else home.none()
        abroad = abroad.filter(order__number__iexact=number)
        if partner:
            abroad = abroad.filter(order__partnership__partner__code__iexact=partner)
    if filters.partner:
        home = home.none()
        abroad = abroad.filter(order__partnership__partner__code=filters.partner)
    if filters.with_returns:
        returned_home, returned_abroad = hooks.returned_lines(merchant)
        home_q, abroad_q = Q(pk__in=[]), Q(pk__in=[])
        for ids in returned_home:
            home_q |= Q(pk__in=ids)
        for references in returned_abroad:
            abroad_q |= Q(reference__in=list(references))
        home, abroad = home.filter(home_q), abroad.filter(abroad_q)
    if filters.where == HOME:
        abroad = abroad.none()
    elif filters.where == ABROAD:
        home = home.none()
    return home, abroad


def line_keys(merchant, filters=LineFilters()):
    """The (where, id, placed) of the merchant's lines as narrowed, newest first: one SQL union, for
    the paginator (which counts and slices it)."""
    home, abroad = _narrowed(merchant, filters)
    keys = [
        home.annotate(k_where=Value(HOME, output_field=CharField()), k_id=F("pk"), k_at=F("order__placed_at")),
        abroad.annotate(k_where=Value(ABROAD, output_field=CharField()), k_id=F("pk"), k_at=F("order__placed_at")),
    ]
    first, second = (qs.order_by().values_list("k_where", "k_id", "k_at") for qs in keys)
    return first.union(second, all=True).order_by("-k_at", "k_where", "-k_id")


@dataclass
class MerchantLine:
    """One line as the merchant's pages show it, home or abroad."""

    where: str
    line: object  # OrderLine or ForwardedLine
    reference: str
    order_number: str
    partner: object | None
    fulfilment: str
    title: str
    sku: str
    quantity: int
    status: str
    placed_at: dt.datetime
    ships_itself: bool
    shipment: Shipment | None = None
    returns: list = field(default_factory=list)

    @property
    def status_label(self):
        return LineStatus(self.status).label

    @property
    def who_ships(self):
        if self.fulfilment == Fulfilment.CONSIGNMENT:
            return _("the partner, from your goods in its warehouse")
        return _("you") if self.ships_itself else _("the platform's warehouse")

    @property
    def carrier(self):
        return carrier_name(self.shipment.carrier) if self.shipment and self.shipment.carrier else ""

    @property
    def tracking_number(self):
        return self.shipment.tracking_number if self.shipment else ""

    @property
    def can_ship(self):
        return self.ships_itself and self.status in TO_SHIP


def ships_itself(where, fulfilment, merchant):
    """Who ships a line (docs/adr): a line a partner sold cross-border direct is the merchant's; a
    home line is when the merchant ships its home orders itself; a consignment line never is."""
    if where == ABROAD:
        return fulfilment == Fulfilment.DIRECT
    return bool(merchant.ships_itself)


def _home_row(line, merchant):
    return MerchantLine(
        where=HOME,
        line=line,
        reference=line.line_ref,
        order_number=f"#{line.order.number}",
        partner=None,
        fulfilment=line.fulfilment,
        title=line.title,
        sku=line.sku,
        quantity=line.quantity,
        status=line.line_status,
        placed_at=line.order.placed_at,
        ships_itself=ships_itself(HOME, line.fulfilment, merchant),
    )


def _abroad_row(line, merchant):
    partner = line.order.partnership.partner
    return MerchantLine(
        where=ABROAD,
        line=line,
        reference=line.reference,
        order_number=f"{partner.code} #{line.order.number}",
        partner=partner,
        fulfilment=line.fulfilment,
        title=line.title,
        sku=line.sku,
        quantity=line.quantity,
        status=line.status,
        placed_at=line.order.placed_at,
        ships_itself=ships_itself(ABROAD, line.fulfilment, merchant),
    )


def _complete(rows):
    """Each row's delivery and returns: two queries, plus after-sales' fixed few."""
    shipments = Shipment.objects.filter(order_line__in=[row.reference for row in rows])
    by_line = {(shipment.order_line, shipment.sku): shipment for shipment in shipments}
    returns = hooks.line_returns(
        [row.line for row in rows if row.where == HOME], [row.line for row in rows if row.where == ABROAD]
    )
    for row in rows:
        row.shipment = by_line.get((row.reference, row.sku))
        key = (HOME, row.line.pk) if row.where == HOME else (ABROAD, row.reference)
        row.returns = returns.get(key, [])
    return rows


def merchant_rows(merchant, keys):
    """The page's rows for (where, id, placed) keys, in their order: one query per kind."""
    home_ids = [pk for where, pk, _at in keys if where == HOME]
    abroad_ids = [pk for where, pk, _at in keys if where == ABROAD]
    found = {}
    if home_ids:
        found.update(
            {(HOME, line.pk): _home_row(line, merchant) for line in home_lines(merchant).filter(pk__in=home_ids)}
        )
    if abroad_ids:
        found.update(
            {
                (ABROAD, line.pk): _abroad_row(line, merchant)
                for line in abroad_lines(merchant).filter(pk__in=abroad_ids)
            }
        )
    return _complete([found[(where, pk)] for where, pk, _at in keys if (where, pk) in found])


def merchant_line(merchant, where, line_id):
    """One line of the merchant's goods, or None when it is not one (another merchant's included)."""
    if where == HOME:
        line = home_lines(merchant).filter(pk=line_id).first()
        row = _home_row(line, merchant) if line else None
    elif where == ABROAD:
        line = abroad_lines(merchant).filter(pk=line_id).first()
        row = _abroad_row(line, merchant) if line else None
    else:
        row = None
    return _complete([row])[0] if row else None


def partners_of(merchant):
    """The partners that sold the merchant's goods: (code, name), for the list's filter."""
    found = (
        abroad_lines(merchant)
        .order_by()
        .values_list("order__partnership__partner__code", "order__partnership__partner__name")
        .distinct()
    )
    return sorted(set(found))


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    label: str
    detail: str = ""


def history(row):
    """What happened to the line, oldest first: the order placed and paid (or received from the
    partner), its delivery opened, handed to the carrier, the carrier's events, cancelled."""
    line = row.line
    steps = [Step(line.order.placed_at, _("Order placed"))]
    if row.where == HOME:
        if line.order.paid_at:
            steps.append(Step(line.order.paid_at, _("Payment received")))
    else:
        steps.append(Step(line.order.received_at, _("Forwarded to us by %(partner)s") % {"partner": row.partner.name}))
    shipment = row.shipment
    if shipment is not None:
        steps.append(Step(shipment.created_at, _("Stock allocated")))
        if shipment.shipped_at:
            steps.append(
                Step(
                    shipment.shipped_at,
                    _("Handed to the carrier"),
                    " ".join(part for part in (row.carrier, shipment.tracking_number) if part),
                )
            )
        for event in shipment.events.all():
            if event.status == Shipment.Status.SHIPPED and shipment.shipped_at:
                continue  # the hand-over above says it
            steps.append(
                Step(
                    event.occurred_at,
                    event.get_status_display(),
                    ", ".join(p for p in (event.description, event.location) if p),
                )
            )
        if shipment.status == Shipment.Status.CANCELLED:
            steps.append(Step(shipment.updated_at, _("Cancelled")))
    elif row.status == LineStatus.CANCELLED:
        steps.append(Step(getattr(line, "updated_at", None) or line.order.placed_at, _("Cancelled")))
    return sorted(steps, key=lambda step: step.at)
