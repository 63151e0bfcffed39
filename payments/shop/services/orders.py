"""Orders: created from a locked quote awaiting payment, paid (stock allocated, ledger posted,
partner lines forwarded, customs data completed), moved on by ops, expired when unpaid; and the
exporter's side of partner orders (messages order.forwarded and order.status).

Why the order waits for its payment: nothing leaves the platform until the money is secured. An
order awaiting payment holds its stock and has its number, but no partner hears of it, no ledger
entry exists and no shipment is opened; `mark_paid` does all of that in one transaction when the
payment provider reports the payment authorised or captured. An order not paid within the
payment window expires and gives its stock back; a payment arriving after that is refused here
(the payment side then voids or refunds it, so no shopper is charged without an order)."""

import datetime as dt
import io
import secrets
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder import spreadsheets
from crossborder.addresses import address_lines
from crossborder.errors import DomainError
from crossborder.fields import masked
from crossborder.models import Partnership
from crossborder.services import send_to_partner
from logistics.models import Shipment
from logistics.services import last_leg, stock
from partner_zone.services import markdowns

from ... import hooks
from ...errors import CheckoutErrorCode as Code
from ...ledger.services import charges, ledger
from ..models import (
    CustomsDeclaration,
    ForwardedOrder,
    Fulfilment,
    Order,
    OrderEvent,
    OrderExtra,
    OrderLine,
    OrderNumber,
    Origin,
)
from . import notices

FORWARDED_MESSAGE = "order.forwarded"
STATUS_MESSAGE = "order.status"
SEQUENCE = "payments_order_number_seq"
# Deliveries that can still be called off: nothing has left the warehouse.
CANCELLABLE_SHIPMENTS = (Shipment.Status.ALLOCATED, Shipment.Status.PICKED, Shipment.Status.PACKED)
# The ledger events a paid partner line posts on either side, by their reference's suffix: the sale
# (or goods sold abroad), the partner's campaign share and the fulfilment fee (charges.py).
LINE_EVENTS = ("", ":campaign-share", ":fulfilment")
SQLITE_NUMBER_OFFSET = 100000
# The statuses ops move a paid order through, and what the partner may report for its lines.
# Cancelling a paid order gives stock and money back and reverses the books: cancel.cancel_order.
NEXT_STATUS = {
    Order.Status.PAID: (Order.Status.SHIPPED,),
    Order.Status.SHIPPED: (Order.Status.DELIVERED,),
    Order.Status.AWAITING_PAYMENT: (Order.Status.CANCELLED,),
}


def next_order_number():
    """The next order number: PostgreSQL's sequence (migration 0004 creates it), elsewhere the
    id of a new OrderNumber row (SQLite's AUTOINCREMENT: unique and increasing, never reused)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{SEQUENCE}')")
            return cursor.fetchone()[0]
    return SQLITE_NUMBER_OFFSET + OrderNumber.objects.create().pk


def _event(order, kind, *, status="", by_partner=False, actor=None, at=None, **detail):
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        status=status or order.status,
        by_partner=by_partner,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        detail=detail,
        created_at=at or timezone.now(),
    )


def record_event(order, kind, **detail):
    """An event on the order's timeline (the payment service's news, through the shop's hooks)."""
    return _event(order, kind, **detail)


def holdings(lines):
    """What these checkout or order lines hold, as the stock service names it."""
    return [
        stock.Holding(
            reference=line.reservation.reference if line.reservation_id else "",
            listing_id=line.listing_id,
            direct_units=line.direct_units,
        )
        for line in lines
    ]


def release_holds(lines, *, expired=False):
    """Give back the stock these checkout or order lines hold, in one call of the stock service
    (its locks, its order). The caller has locked the checkout or order and changes its status in
    the same transaction, so each hold is given back once."""
    stock.release_for_checkout(holdings(lines), expired=expired)


# --- creating ------------------------------------------------------------------------------------

_LINE_FIELDS = (
    "line_number", "origin", "fulfilment", "variant_id", "listing_id", "partnership_id", "sku", "title", "hs_code",
    "quantity", "unit_price", "goods", "taxes", "shipping", "total", "dutiable_value", "taxes_detail",
    "export_amount", "reservation_id", "direct_units", "grade",
)  # fmt: skip


_EXTRA_FIELDS = ("line_number", "kind", "code", "title", "amount", "detail")


def _order_record(order, lines):
    """The order as customs' order record lists it (cross-border lines only)."""
    return {
        "order_number": str(order.number),
        "platform": settings.PLATFORM_CODE,
        "placed_at": order.placed_at.isoformat(),
        "currency": str(order.total.currency),
        "buyer_name": order.buyer_name,
        "buyer_id_type": "1",  # resident ID card
        # Masked here (the record is kept as JSON, unencrypted); the exports write the number itself.
        "buyer_id_number": masked(order.buyer_id_number),
        "buyer_phone": order.recipient.get("phone", ""),
        "consignee": order.recipient.get("name", ""),
        # The whole address as the post writes it (province, city, district, street; postcode apart).
        "consignee_address": " ".join(
            line for line in address_lines(order.recipient) if line != order.recipient.get("postcode")
        ),
        "consignee_province": order.recipient.get("country_area", ""),
        "consignee_city": order.recipient.get("city", ""),
        "consignee_district": order.recipient.get("city_area", ""),
        "consignee_postcode": order.recipient.get("postcode", ""),
        "goods_value": str(sum((line.goods.amount for line in lines), Decimal(0))),
        "freight": str(sum((line.shipping.amount for line in lines), Decimal(0))),
        "taxes": str(sum((line.taxes.amount for line in lines), Decimal(0))),
        "lines": [
            {
                "line": line.line_number,
                "sku": line.sku,
                "title": line.title,
                "hs_code": line.hs_code,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price.amount),
                "goods": str(line.goods.amount),
                "freight": str(line.shipping.amount),
                "dutiable_value": str(line.dutiable_value.amount) if line.dutiable_value else "",
                "taxes": str(line.taxes.amount),
                "fulfilment": line.fulfilment,
            }
            for line in lines
        ],
    }


def create_order(*, checkout, lines=None, extras=None, now=None):
    """An order awaiting payment from a locked checkout (place_order's part; the caller holds the
    checkout's lock and has checked its total and expiry). `lines`, `extras`: the checkout's lines
    and priced extras, when the caller has them at hand."""
    now = now or timezone.now()
    lines = list(checkout.lines.all()) if lines is None else lines
    extras = list(checkout.extra_lines.all()) if extras is None else extras
    order = Order.objects.create(
        number=next_order_number(),
        token=secrets.token_urlsafe(18),
        checkout=checkout,
        user=checkout.user,
        goods=checkout.goods,
        taxes=checkout.taxes,
        shipping=checkout.shipping,
        extras=checkout.extras,
        total=checkout.total,
        cbec_value=checkout.cbec_value,
        recipient=checkout.recipient,
        email=checkout.email,
        buyer_name=checkout.buyer_name,
        buyer_id_number=checkout.buyer_id_number,
        has_partner_goods=any(line.origin == Origin.PARTNER for line in lines),
        language=checkout.language,
        payment_due_at=now + dt.timedelta(minutes=settings.SHOP["PAYMENT_MINUTES"]),
        placed_at=now,
    )
    order_lines = OrderLine.objects.bulk_create(
        OrderLine(order=order, **{name: getattr(line, name) for name in _LINE_FIELDS}) for line in lines
    )
    OrderExtra.objects.bulk_create(
        OrderExtra(order=order, **{name: getattr(extra, name) for name in _EXTRA_FIELDS}) for extra in extras
    )
    _event(order, OrderEvent.Kind.PLACED, at=now, total=str(order.total.amount))
    notices.order_placed(order, lines=order_lines)
    if order.buyer_id_number:
        partner_lines = [line for line in order_lines if line.origin == Origin.PARTNER]
        CustomsDeclaration.objects.create(order=order, order_record=_order_record(order, partner_lines))
    return order


# --- paying --------------------------------------------------------------------------------------


def _serve(line, order):
    """Open the line's delivery: the checkout's hold becomes the allocation of a local delivery, or
    a cross-border direct shipment the partner sends."""
    if line.fulfilment == Fulfilment.DIRECT:
        return last_leg.create_direct_shipment(
            partnership=line.partnership,
            order_line=line.reference,
            sku=line.sku,
            quantity=line.quantity,
            recipient=order.recipient,
        )
    return last_leg.allocate_local(
        order_line=line.reference,
        sku=line.sku,
        quantity=line.quantity,
        recipient=order.recipient,
        owner=line.partnership.partner if line.origin == Origin.PARTNER else None,
        reservation_ref=line.reservation.reference,
        grade=line.grade,
    )


def _post_to_ledger(line):
    if line.origin == Origin.OWN:
        posted = ledger.record_own_goods_sale(
            reference=line.reference, goods=line.goods, shipping=line.shipping, taxes=line.taxes
        )
        hooks.own_goods_sold.fire(line=line)  # the merchant is credited now, at payment (docs/adr/0033)
        return posted
    if line.grade:  # a returned unit resold: the partner gets the proceeds less the resale fee
        return ledger.record_partner_goods_resale(
            reference=line.reference,
            partnership=line.partnership,
            shopper_amount=line.total,
            taxes=line.taxes,
            proceeds=line.goods,
            fee_rate=line.partnership.terms.resale_fee_rate,
        )
    return ledger.record_partner_goods_sale(
        reference=line.reference,
        partnership=line.partnership,
        shopper_amount=line.total,
        taxes=line.taxes,
        partner_amount=line.export_amount,
        commission_rate=line.partnership.commission_rate,
    )


def _count_markdown_sale(line):
    """A line sold at a markdown of the partner's aged stock uses up that many marked-down units."""
    reference = (line.taxes_detail or {}).get("markdown")
    if reference:
        markdowns.record_markdown_sale(partnership=line.partnership, reference=reference, quantity=line.quantity)


def forwarded_payload(order, lines):
    """What the exporter learns of an order for its goods: its lines (its own product id and SKU,
    the export price owed), and the recipient only where it ships the goods itself (direct)."""
    direct = any(line.fulfilment == Fulfilment.DIRECT for line in lines)
    return {
        "order": str(order.reference),
        "number": str(order.number),
        "placed_at": order.placed_at.isoformat(),
        "lines": [
            {
                "reference": line.reference,
                "product": str(line.listing.reference),
                "sku": line.sku,
                "title": line.title,
                "quantity": line.quantity,
                "fulfilment": line.fulfilment,
                "export_amount": {
                    "amount": str(line.export_amount.amount),
                    "currency": str(line.export_amount.currency),
                },
                **({"grade": line.grade} if line.grade else {}),
            }
            for line in lines
        ],
        "recipient": order.recipient if direct else {},
    }


def _partner_groups(lines):
    groups = {}
    for line in lines:
        if line.origin == Origin.PARTNER:
            groups.setdefault(line.partnership_id, []).append(line)
    return groups


def suspended_partnerships(lines, *, lock=False):
    """The partnerships of these partner lines that are not active (suspended or ended), locked
    when asked so that a suspension cannot slip in between this check and the forwarding."""
    ids = sorted({line.partnership_id for line in lines if line.origin == Origin.PARTNER})
    if not ids:
        return []
    partnerships = Partnership.objects.filter(pk__in=ids).select_related("partner").order_by("pk")
    if lock:
        partnerships = partnerships.select_for_update(of=("self",))
    return [partnership for partnership in partnerships if partnership.status != Partnership.Status.ACTIVE]


def suspended_refusal(order, partnerships):
    names = ", ".join(partnership.partner.name for partnership in partnerships)
    return DomainError(
        Code.PARTNERSHIP_SUSPENDED,
        _(
            "Order %(number)s holds goods of %(partner)s, whose partnership with us is suspended: it cannot be "
            "paid for now. It stays reserved until its payment is due; if the partnership resumes before then, "
            "you can pay it."
        )
        % {"number": order.number, "partner": names},
        field="order",
        status=409,
    )


def _refuse_suspended_partners(order, lines):
    """Rule: no order with a partner's goods is paid (and so none is forwarded) while the
    partnership is not active (README, Shop). The partnership rows are locked like a suspension
    locks them, so the order is forwarded only if the partnership was active when it was paid."""
    suspended = suspended_partnerships(lines, lock=True)
    if suspended:
        raise suspended_refusal(order, suspended)


def mark_paid(*, order, payment_reference, amount=None, now=None):
    """The order's payment was authorised or captured: allocate its stock and open its deliveries,
    post each line's sale to the ledger, forward partner lines to their partners (outbox), and
    complete the customs declaration with the payment record, all in one transaction. Repeating it
    with the same payment is harmless; an order no longer awaiting payment is refused, and so is one
    with goods of a partner whose partnership is not active (`partnership_suspended`)."""
    now = now or timezone.now()
    payment_reference = _checked_payment_reference(payment_reference)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.payment_reference == payment_reference and locked.paid_at is not None:
            return locked  # the same payment again: done already
        _refuse_unpayable(locked, amount)
        lines = _lines_to_pay(locked)
        _refuse_suspended_partners(locked, lines)
        shipments = {line.line_number: _sell_line(line, locked) for line in lines}
        _record_paid(locked, payment_reference, now)
        _extras_paid(locked)
        _forward_to_partners(locked, lines, now)
        _complete_customs_declaration(locked, lines, shipments, payment_reference, now)
    order.refresh_from_db()
    return locked


def _checked_payment_reference(payment_reference) -> str:
    payment_reference = str(payment_reference or "").strip()[:120]
    if not payment_reference:
        raise DomainError(Code.INVALID, _("A payment reference is required."), field="payment_reference")
    return payment_reference


def unpayable(order):
    """The refusal of a payment for an order that is not awaiting one."""
    return DomainError(
        Code.ORDER_STATE,
        _("Order %(number)s is %(status)s and cannot be paid.")
        % {"number": order.number, "status": Order.Status(order.status).label},
        field="order",
        status=409,
    )


def _refuse_unpayable(order, amount):
    """Only an order awaiting payment is paid, and only by exactly its total (when the amount is known)."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        raise unpayable(order)
    if amount is not None and (
        not isinstance(amount, Money) or amount.currency != order.total.currency or amount.amount != order.total.amount
    ):
        raise DomainError(
            Code.PAYMENT_MISMATCH,
            _("The payment of %(amount)s does not match the order's total of %(total)s.")
            % {"amount": amount, "total": order.total},
            field="amount",
            status=409,
        )


def _lines_to_pay(order):
    return list(order.lines.select_related("partnership__partner", "listing", "reservation").order_by("line_number"))


def _sell_line(line, order):
    """One paid line: serve it (allocate its stock, open its delivery), post its sale to the ledger,
    and for partner goods count a markdown sale and charge the partner its shares. Returns the
    line's shipment."""
    line.order = order
    shipment = _serve(line, order)
    _post_to_ledger(line)
    if line.origin == Origin.PARTNER and not line.grade:  # a resold unit's fee covers it all
        _count_markdown_sale(line)
        charges.charge_campaign_share(line=line)  # the partner bears its share of a campaign price
        charges.charge_fulfilment_fee(line=line)  # we deliver its consignment stock
    return shipment


def _record_paid(order, payment_reference, now):
    order.status = Order.Status.PAID
    order.payment_reference = payment_reference
    order.paid_at = now
    order.save(update_fields=["status", "payment_reference", "paid_at"])
    _event(order, OrderEvent.Kind.PAID, at=now, payment=payment_reference)
    notices.payment_received(order)


def _extras_paid(order):
    """The extras the shopper paid for with the order (installation) are the later apps' to carry
    out (hooks.extras_paid). Their money stays with the shopper's prepayments until the service
    is done; the app that carries it out recognises it then."""
    extras = list(order.extra_lines.order_by("line_number", "pk"))
    if extras:
        hooks.extras_paid.fire(order=order, extras=extras)


def _forward_to_partners(order, lines, now):
    """Each partner whose goods the order holds gets its lines (message order.forwarded, outbox)."""
    for group in _partner_groups(lines).values():
        partnership = group[0].partnership
        send_to_partner(partnership, FORWARDED_MESSAGE, forwarded_payload(order, group))
        _event(order, OrderEvent.Kind.FORWARDED, at=now, partner=partnership.partner.code, lines=len(group))


def _complete_customs_declaration(order, lines, shipments, payment_reference, now):
    """The declaration (orders of partner goods into China have one) gets the payment and waybill
    records: who paid what, and the parcel of each partner line."""
    declaration = CustomsDeclaration.objects.select_for_update().filter(order=order).first()
    if declaration is None:
        return
    declaration.payment_record = {
        "payment_reference": payment_reference,
        "paid_at": now.isoformat(),
        "amount": str(order.total.amount),
        "currency": str(order.total.currency),
        "payer_name": order.buyer_name,
        "payer_id_number": masked(order.buyer_id_number),
    }
    declaration.waybill_record = {
        "parcels": [
            {
                "line": number,
                "shipment": str(shipment.reference),
                "kind": shipment.kind,
                "carrier": shipment.carrier,
                "waybill_number": shipment.tracking_number,
            }
            for number, shipment in shipments.items()
            if any(line.line_number == number and line.origin == Origin.PARTNER for line in lines)
        ],
        "consignee": order.recipient.get("name", ""),
        "consignee_phone": order.recipient.get("phone", ""),
    }
    declaration.status = CustomsDeclaration.Status.READY
    declaration.updated_at = now
    declaration.save(update_fields=["payment_record", "waybill_record", "status", "updated_at"])


def expire_unpaid_order(order, *, now=None):
    """An order not paid within its window expires and gives its stock back. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update(skip_locked=True).filter(pk=order.pk).first()
        if locked is None or locked.status != Order.Status.AWAITING_PAYMENT or locked.payment_due_at > now:
            return False
        _close_unpaid(locked, Order.Status.EXPIRED, OrderEvent.Kind.EXPIRED, now=now, expired=True)
    return True


def _close_unpaid(order, status, kind, *, now, expired=False, actor=None, reason="", **detail):
    release_holds(order.lines.select_related("reservation"), expired=expired)
    order.status = status
    order.save(update_fields=["status"])
    CustomsDeclaration.objects.filter(order=order).update(status=CustomsDeclaration.Status.CANCELLED, updated_at=now)
    _event(order, kind, at=now, actor=actor, reason=reason, **detail)


# --- moving on -----------------------------------------------------------------------------------


def change_order_status(*, order, status, actor=None, reason="", now=None):
    """Ops move an order on: an unpaid one may be cancelled (its stock is given back), a paid one
    shipped then delivered. Partners whose goods it holds are told (order.status)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == status:
            return locked
        if status not in NEXT_STATUS.get(locked.status, ()):
            raise DomainError(
                Code.ORDER_STATE,
                _("Order %(number)s is %(status)s; it cannot become %(target)s.")
                % {
                    "number": locked.number,
                    "status": Order.Status(locked.status).label,
                    "target": Order.Status(status).label,
                },
                field="status",
                status=409,
            )
        if locked.status == Order.Status.AWAITING_PAYMENT:
            _close_unpaid(locked, status, OrderEvent.Kind.CANCELLED, now=now, actor=actor, reason=reason)
            return locked
        locked.status = status
        locked.save(update_fields=["status"])
        _event(locked, OrderEvent.Kind.STATUS, at=now, actor=actor, reason=reason)
        lines = locked.lines.select_related("partnership__partner").filter(origin=Origin.PARTNER)
        for group in _partner_groups(lines).values():
            send_to_partner(
                group[0].partnership,
                STATUS_MESSAGE,
                {"order": str(locked.reference), "status": status, "reason": reason, "lines": []},
            )
    return locked


# --- the exporter's side -------------------------------------------------------------------------


def _amount(value, field):
    try:
        return Money(Decimal(str(value["amount"])), str(value["currency"]).upper())
    except (KeyError, TypeError, ArithmeticError, ValueError):
        raise DomainError(Code.INVALID, _("%(field)s is not an amount.") % {"field": field}, field=field) from None


def receive_forwarded_order(*, partnership, payload):
    """A partner sold our goods to its shopper: record the order and post each line as goods sold
    abroad (the partner owes us the export price less its commission; the line's reference is the
    same event on both platforms' statements), and allocate our stock to the lines we ship direct
    (forwarded.open_lines). A repeat changes nothing."""
    lines = [
        {
            **line,
            "product": str(line["product"]),
            "export_amount": {
                "amount": str(line["export_amount"]["amount"]),
                "currency": str(line["export_amount"]["currency"]),
            },
        }
        for line in payload["lines"]
    ]
    with transaction.atomic():
        forwarded, created = ForwardedOrder.objects.get_or_create(
            partnership=partnership,
            reference=payload["order"],
            defaults={
                "number": payload["number"],
                "lines": lines,
                "recipient": dict(payload.get("recipient") or {}),
                "placed_at": payload["placed_at"],
                "status": "paid",
            },
        )
        if created:
            from .forwarded import open_lines

            open_lines(forwarded)
            for index, line in enumerate(lines):
                ledger.record_goods_sold_abroad(
                    reference=line["reference"],
                    partnership=partnership,
                    partner_amount=_amount(line["export_amount"], f"lines[{index}].export_amount"),
                    # a resold returned unit: the proceeds less the resale fee, nothing more off
                    commission_rate=0 if line.get("grade") else partnership.commission_rate,
                )
    return forwarded


def send_partner_order_status(*, forwarded, status, reason="", lines=()):
    """The exporter reports progress on an order a partner forwarded (accepted, shipped...)."""
    with transaction.atomic():
        ForwardedOrder.objects.filter(pk=forwarded.pk).update(status=status, updated_at=timezone.now())
        send_to_partner(
            forwarded.partnership,
            STATUS_MESSAGE,
            {"order": str(forwarded.reference), "status": status, "reason": reason, "lines": list(lines)},
        )


def receive_order_status(*, partnership, payload):
    """order.status from the partner: on the importer's side it joins the order's timeline; on the
    exporter's side it updates the forwarded order."""
    with transaction.atomic():
        order = Order.objects.filter(reference=payload["order"]).first()
        if order is not None and order.lines.filter(partnership=partnership).exists():
            _event(
                order,
                OrderEvent.Kind.PARTNER_STATUS,
                by_partner=True,
                partner=partnership.partner.code,
                partner_status=payload["status"],
                reason=payload.get("reason", ""),
                lines=payload.get("lines", []),
            )
            return {"order": str(order.reference), "recorded": True}
        forwarded = ForwardedOrder.objects.filter(partnership=partnership, reference=payload["order"]).first()
        if forwarded is None:
            raise DomainError(
                Code.UNKNOWN_ORDER, _("No order %(ref)s with this partner.") % {"ref": payload["order"]}, status=404
            )
        ForwardedOrder.objects.filter(pk=forwarded.pk).update(status=payload["status"], updated_at=timezone.now())
        if payload["status"] == Order.Status.CANCELLED:
            from .forwarded import release

            # Our forwarded lines not shipped yet give their stock back; then what we posted for them
            # is reversed, and a line shipped meanwhile is reported back as shipped.
            release(forwarded=forwarded, actor=f"partner:{forwarded.partnership.partner.code}")
            return {"order": str(forwarded.reference), "recorded": True, **_cancel_forwarded(forwarded, payload)}
        return {"order": str(forwarded.reference), "recorded": True}


def _cancel_forwarded(forwarded, payload):
    """The importer cancelled the order before anything shipped: cancel our deliveries not yet
    shipped and reverse what we posted for those lines (the goods sold abroad, and the campaign
    share and fulfilment fee it billed us), each by a reversing transaction, so both statements
    carry the same reversals. A line we have shipped meanwhile is kept as it is and reported back
    as shipped: the two statements then differ on it, and settlement raises the dispute ops settle
    (the goods are on their way; the importer treats them as a return)."""
    references = [line["reference"] for line in forwarded.lines]
    gone = set()
    for shipment in Shipment.objects.filter(order_line__in=references).order_by("pk"):
        if shipment.status in CANCELLABLE_SHIPMENTS:
            last_leg.cancel_shipment(shipment, actor=f"partner:{forwarded.partnership.partner.code}")
        elif shipment.status != Shipment.Status.CANCELLED:
            gone.add(shipment.order_line)
    memo = _("cancelled by %(partner)s: %(reason)s") % {
        "partner": forwarded.partnership.partner.code,
        "reason": payload.get("reason", "") or "-",
    }
    reversed_lines = [reference for reference in references if reference not in gone]
    for reference in reversed_lines:
        for suffix in LINE_EVENTS:
            ledger.reverse_event(reference=f"{reference}{suffix}", reason=memo)
    if gone:
        ForwardedOrder.objects.filter(pk=forwarded.pk).update(status="shipped", updated_at=timezone.now())
        send_to_partner(
            forwarded.partnership,
            STATUS_MESSAGE,
            {
                "order": str(forwarded.reference),
                "status": "shipped",
                "reason": _("already shipped when the cancellation arrived"),
                "lines": sorted(gone),
            },
        )
    return {"cancelled_lines": reversed_lines, "shipped_lines": sorted(gone)}


# --- customs export ------------------------------------------------------------------------------

CSV_COLUMNS = [
    "order_number", "line", "sku", "title", "hs_code", "quantity", "unit_price", "goods", "freight",
    "dutiable_value", "taxes", "currency", "buyer_name", "buyer_id_number", "consignee", "consignee_address",
    "buyer_phone", "payment_reference", "paid_at", "shipment", "waybill_number",
]  # fmt: skip


def _with_id_number(declaration):
    """The order and payment records as customs need them: with the buyer's ID number itself, read
    from the order (encrypted at rest) in place of the masked one the stored records keep."""
    number = declaration.order.buyer_id_number
    record, payment = dict(declaration.order_record), dict(declaration.payment_record)
    if "buyer_id_number" in record:
        record["buyer_id_number"] = number
    if "payer_id_number" in payment:
        payment["payer_id_number"] = number
    return record, payment


CSV_NUMBER_COLUMNS = ("quantity", "unit_price", "goods", "freight", "dutiable_value", "taxes")


def customs_csv(declaration):
    """The declaration as CSV, one row per line, with the payment and waybill beside it. Shoppers'
    names, addresses, phones and partners' titles are neutralised (crossborder.spreadsheets);
    quantities and amounts are written as numbers."""
    record, payment = _with_id_number(declaration)
    parcels = {parcel["line"]: parcel for parcel in declaration.waybill_record.get("parcels", [])}
    out = io.StringIO()
    writer = spreadsheets.CsvDictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for line in record.get("lines", []):
        parcel = parcels.get(line["line"], {})
        writer.writerow(
            {
                **{key: record.get(key, "") for key in ("order_number", "buyer_name", "buyer_id_number")},
                **{key: record.get(key, "") for key in ("consignee", "consignee_address", "buyer_phone", "currency")},
                **{key: line.get(key, "") for key in ("line", "sku", "title", "hs_code")},
                **{key: spreadsheets.number_or_text(line.get(key, "")) for key in CSV_NUMBER_COLUMNS},
                "payment_reference": payment.get("payment_reference", ""),
                "paid_at": payment.get("paid_at", ""),
                "shipment": parcel.get("shipment", ""),
                "waybill_number": parcel.get("waybill_number", ""),
            }
        )
    return out.getvalue()


def _xml_fields(parent, values):
    for key, value in values.items():
        if isinstance(value, list | dict):
            continue
        ET.SubElement(parent, key).text = str(value)


def customs_xml(declaration):
    """The declaration as XML: <CustomsDeclaration> with its <Order> (and <Line>s), <Payment> and
    <Waybill> (and <Parcel>s), the three records customs match against each other."""
    root = ET.Element("CustomsDeclaration", {"status": declaration.status})
    order = ET.SubElement(root, "Order")
    record, payment = _with_id_number(declaration)
    _xml_fields(order, record)
    for line in record.get("lines", []):
        _xml_fields(ET.SubElement(order, "Line"), line)
    _xml_fields(ET.SubElement(root, "Payment"), payment)
    waybill = ET.SubElement(root, "Waybill")
    _xml_fields(waybill, declaration.waybill_record)
    for parcel in declaration.waybill_record.get("parcels", []):
        _xml_fields(ET.SubElement(waybill, "Parcel"), parcel)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
