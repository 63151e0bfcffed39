"""The exporter fulfils the orders partners forward. A line the partner sold from our consignment
stock in its warehouse is the partner's to deliver; a line it sold cross-border direct is ours: on
receipt our own stock is allocated to it (a last-leg shipment from our warehouse to the partner's
shopper, logistics' last_leg service), and ops (or the goods' merchant) pick, pack and ship it with
a carrier. Shipping takes the units out of our stock; the parcel's tracking goes to the partner
(delivery.tracking) and the line's status with it (order.status: shipped, then delivered), each
through the outbox in the same transaction as the change. Tracking polled from the carrier later
follows the same way (logistics.hooks.partner_shipment_progressed)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from catalog import services as catalog_services
from catalog.models import ProductVariant
from crossborder.errors import DomainError
from logistics import carriers
from logistics.models import Shipment
from logistics.services import LogisticsError, last_leg, stock

from ...errors import CheckoutErrorCode as Code
from ..models import ForwardedLine, ForwardedOrder, Fulfilment
from . import orders

LineStatus = ForwardedLine.Status
# The line statuses the partner hears as order.status (in transit travels as tracking only).
REPORTED = {LineStatus.SHIPPED: "shipped", LineStatus.DELIVERED: "delivered"}
# Where a line stands on its way; the forwarded order is as far as its least advanced line of ours.
_RANK = [
    LineStatus.AWAITING_STOCK,
    LineStatus.ALLOCATED,
    LineStatus.PICKED,
    LineStatus.PACKED,
    LineStatus.SHIPPED,
    LineStatus.IN_TRANSIT,
    LineStatus.FAILED,
    LineStatus.DELIVERED,
]


def open_lines(forwarded):
    """The rows of a newly received forwarded order's lines (in its transaction); our direct lines
    get our stock allocated at once, or wait for it with the reason."""
    rows = ForwardedLine.objects.bulk_create(
        ForwardedLine(
            order=forwarded,
            reference=line["reference"],
            product=line["product"],
            sku=line["sku"],
            title=(line.get("title") or "")[:300],
            quantity=line["quantity"],
            export_amount=Money(line["export_amount"]["amount"], line["export_amount"]["currency"]),
            fulfilment=line["fulfilment"],
            status=LineStatus.AWAITING_STOCK if line["fulfilment"] == Fulfilment.DIRECT else LineStatus.PARTNER_SHIPS,
        )
        for line in forwarded.lines
    )
    for row in rows:
        if row.fulfilment == Fulfilment.DIRECT:
            # The units sold leave the offer's stock for direct sale (the partner's feed follows).
            catalog_services.take_direct_stock(
                partnership=forwarded.partnership, product_reference=row.product, quantity=row.quantity
            )
            _allocate(forwarded, row)
    return rows


def _allocate(forwarded, line):
    """Allocate our own stock to one direct line; a refusal (no stock, a recipient we cannot ship
    to) leaves the line awaiting stock with the reason, and the order is still recorded: the
    partner's shopper has paid."""
    variant = ProductVariant.objects.filter(sku=line.sku).select_related("product").first()
    if variant is not None:
        # The levels of the SKU are locked first, in the one order every checkout takes them in.
        stock.lock_levels(own_skus=[variant.sku])
    try:
        with transaction.atomic():
            last_leg.allocate_local(
                order_line=line.reference,
                sku=line.sku,
                quantity=line.quantity,
                recipient=forwarded.recipient,
                owner=None,
                partnership=forwarded.partnership,
            )
    except LogisticsError as refused:
        line.status, line.problem = LineStatus.AWAITING_STOCK, str(refused.detail)[:300]
    else:
        line.status, line.problem = LineStatus.ALLOCATED, ""
    line.updated_at = timezone.now()
    line.save(update_fields=["status", "problem", "updated_at"])


def _ours(forwarded):
    return list(forwarded.order_lines.filter(fulfilment=Fulfilment.DIRECT).order_by("pk"))


def _shipments(forwarded, lines):
    found = Shipment.objects.filter(
        partnership=forwarded.partnership, order_line__in=[line.reference for line in lines]
    ).select_related("partnership__partner")
    return {(shipment.order_line, shipment.sku): shipment for shipment in found}


def _follow(line, shipment):
    """The line's status as its shipment stands."""
    status = LineStatus(shipment.status)
    if line.status != status:
        line.status, line.problem, line.updated_at = status, "", timezone.now()
        line.save(update_fields=["status", "problem", "updated_at"])


def _order_status(forwarded):
    """The forwarded order's status: as far as its least advanced line of ours (paid until then)."""
    lines = [line.status for line in _ours(forwarded) if line.status in _RANK]
    if not lines:
        return forwarded.status
    least = _RANK.index(min(lines, key=_RANK.index))
    if least >= _RANK.index(LineStatus.DELIVERED):
        return "delivered"
    return "shipped" if least >= _RANK.index(LineStatus.SHIPPED) else "paid"


@transaction.atomic
def allocate_awaiting(*, forwarded):
    """Try again to allocate our stock to the direct lines still awaiting it. Returns how many now are."""
    forwarded = ForwardedOrder.objects.select_for_update().select_related("partnership").get(pk=forwarded.pk)
    waiting = [line for line in _ours(forwarded) if line.status == LineStatus.AWAITING_STOCK]
    for line in waiting:
        _allocate(forwarded, line)
    return sum(line.status == LineStatus.ALLOCATED for line in waiting)


def _step(forwarded, step, wanted, lines=None, *, actor=""):
    """Run a logistics step on the shipments of our lines (or `lines`) that stand at `wanted`."""
    lines = _ours(forwarded) if lines is None else lines
    shipments = _shipments(forwarded, lines)
    done = 0
    for line in lines:
        shipment = shipments.get((line.reference, line.sku))
        if shipment is None or shipment.status not in wanted:
            continue
        with transaction.atomic():
            step(shipment, actor=actor)
            _follow(line, shipment)
        done += 1
    return done


def pick(*, forwarded, lines=None, actor=""):
    """Take the allocated units of our lines off the shelves. Returns how many lines were picked."""
    return _step(forwarded, last_leg.pick_shipment, {Shipment.Status.ALLOCATED}, lines, actor=actor)


def pack(*, forwarded, lines=None, actor=""):
    """Pick what is not picked yet, then pack. Returns how many lines were packed."""
    pick(forwarded=forwarded, lines=lines, actor=actor)
    return _step(forwarded, last_leg.pack_shipment, {Shipment.Status.PICKED}, lines, actor=actor)


def _check_carrier(code):
    code = str(code or "").strip() or carriers.default_carrier_code()
    if code not in carriers.configured_carriers():
        raise DomainError(
            Code.INVALID,
            _("%(carrier)s is not one of our carriers (%(known)s).")
            % {"carrier": code, "known": ", ".join(carriers.configured_carriers())},
            field="carrier",
        )
    return code


def ship(*, forwarded, carrier=None, lines=None, tracking_number="", actor=""):
    """Pick and pack what is not yet, then hand our lines' parcels to `carrier` (the default one
    unless named): booked with the carrier outside any transaction, unless the parcel was handed
    over already and `tracking_number` is its number. Our stock goes down, and the partner gets the
    tracking and the lines' status. Returns how many lines were shipped."""
    carrier = _check_carrier(carrier)
    tracking_number = str(tracking_number or "").strip()
    if len(tracking_number) > 80:
        raise DomainError(Code.INVALID, _("A tracking number has at most 80 characters."), field="tracking_number")
    pack(forwarded=forwarded, lines=lines, actor=actor)
    lines = _ours(forwarded) if lines is None else lines
    shipments = _shipments(forwarded, lines)
    shipped = 0
    for line in lines:
        shipment = shipments.get((line.reference, line.sku))
        if shipment is None or shipment.status != Shipment.Status.PACKED:
            continue
        last_leg.ship_shipment(shipment, carrier=carrier, tracking_number=tracking_number or None, actor=actor)
        shipped += 1
    return shipped


def release(*, forwarded, actor=""):
    """The partner cancelled the order: our lines not shipped yet give their stock back (picked
    units go back on the shelves) and are cancelled; a parcel already on its way stays (that is a
    return). Returns how many lines were cancelled."""
    lines = _ours(forwarded)
    shipments = _shipments(forwarded, lines)
    cancelled = 0
    for line in lines:
        shipment = shipments.get((line.reference, line.sku))
        if shipment is not None and shipment.status in last_leg.CANCELLABLE:
            last_leg.cancel_shipment(shipment, actor=actor)
            _follow(line, shipment)
            cancelled += 1
        elif shipment is None and line.status == LineStatus.AWAITING_STOCK:
            line.status, line.updated_at = LineStatus.CANCELLED, timezone.now()
            line.save(update_fields=["status", "updated_at"])
            cancelled += 1
    return cancelled


def shipment_progressed(shipment, status):
    """logistics.hooks.partner_shipment_progressed: a parcel of a forwarded line moved on (shipped by
    us, or a carrier's tracking polled later). The line follows; shipped and delivered are reported
    to the partner (order.status) in the caller's transaction."""
    line = (
        ForwardedLine.objects.select_for_update()
        .select_related("order__partnership__partner")
        .filter(order__partnership=shipment.partnership, reference=shipment.order_line, sku=shipment.sku)
        .first()
    )
    if line is None:
        return
    _follow(line, shipment)
    reported = REPORTED.get(LineStatus(shipment.status))
    if reported:
        forwarded = line.order
        orders.send_partner_order_status(forwarded=forwarded, status=reported, lines=[line.reference])
        ForwardedOrder.objects.filter(pk=forwarded.pk).update(status=_order_status(forwarded))


def tracking_of(lines):
    """{line reference: (carrier, tracking number, shipment status)} of these forwarded lines."""
    found = Shipment.objects.filter(order_line__in=[line.reference for line in lines]).values_list(
        "order_line", "carrier", "tracking_number", "status"
    )
    return {order_line: (carrier, tracking, status) for order_line, carrier, tracking, status in found}
