"""Cancelling an order, by the shopper (storefront or shop API) or by ops (admin), before any of its
goods has shipped: the stock goes back, the money goes back, the books are reversed and the partners
whose goods it holds are told.

One transaction cancels the order: its deliveries are cancelled through logistics (held units back
to sale, picked units back on the shelves), the direct-sale units go back to the partner's listing,
every ledger event the payment posted (each line's sale, the partner's campaign share and
fulfilment fee) is reversed by a reversing transaction of its own, the customs declaration is
withdrawn, and each partner gets `order.status` "cancelled" with the line references, on which it
reverses its own side. After that commit, outside any transaction, the money goes back through the
provider: an authorisation is voided, captured money refunded under the cancellation's own
idempotency key, so cancelling twice (or the beat catching up after a crash) refunds once.

Once goods have left (a last-leg shipment shipped, or the partner reported its lines shipped) the
order cannot be cancelled: that is a return, handled by after-sales."""

import logging
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder import money
from crossborder.errors import DomainError
from crossborder.services import send_to_partner
from logistics.models import Shipment
from logistics.services import last_leg, stock

from ... import hooks
from ...errors import CheckoutErrorCode as Code
from ...ledger.services import ledger
from ...providers.models import Payment
from ...providers.services import payment as payments
from ..models import CustomsDeclaration, Fulfilment, Order, OrderEvent, Origin
from . import orders

logger = logging.getLogger(__name__)

State = Payment.State
REFUND_KEY = "order-cancelled"  # the cancellation's refund, one per payment
PARTNER_SHIPPED = ("shipped", "delivered")


def _refused(order, detail):
    return DomainError(Code.ORDER_STATE, detail, field="order", status=409)


def _shipped_refusal(order, lines):
    """Why the order cannot be cancelled because goods have left, or None."""
    references = [line.reference for line in lines]
    shipped = (
        Shipment.objects.filter(order_line__in=references)
        .exclude(status__in=[*orders.CANCELLABLE_SHIPMENTS, Shipment.Status.CANCELLED])
        .exists()
    )
    reported = order.events.filter(
        kind=OrderEvent.Kind.PARTNER_STATUS, detail__partner_status__in=PARTNER_SHIPPED
    ).exists()
    if shipped or reported:
        return _refused(
            order,
            _(
                "Order %(number)s cannot be cancelled: some of its goods have already shipped. "
                "Once they arrive, ask for a return instead."
            )
            % {"number": order.number},
        )
    return None


def _state_refusal(order):
    if order.status in (Order.Status.SHIPPED, Order.Status.DELIVERED):
        return _refused(
            order,
            _("Order %(number)s has shipped and cannot be cancelled. Once it arrives, ask for a return instead.")
            % {"number": order.number},
        )
    if order.status == Order.Status.EXPIRED:
        return _refused(
            order,
            _("Order %(number)s lapsed unpaid: there is nothing to cancel.") % {"number": order.number},
        )
    return _refused(
        order,
        _("Order %(number)s is %(status)s and cannot be cancelled.")
        % {"number": order.number, "status": Order.Status(order.status).label},
    )


def cancellation_refusal(order):
    """Why this order cannot be cancelled now (a message for the shopper), or None when it can."""
    if order.status in (Order.Status.AWAITING_PAYMENT, Order.Status.CANCELLED):
        return None
    if order.status != Order.Status.PAID:
        return _state_refusal(order).detail
    lines = list(order.lines.all())
    for line in lines:
        line.order = order
    refusal = _shipped_refusal(order, lines)
    return refusal.detail if refusal else None


def _reason(reason):
    """The reason as given, at most 300 characters; control characters (other than line breaks and
    tabs) are refused naming the field, before anything changes."""
    reason = str(reason or "").strip()
    if any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in reason):
        raise DomainError(Code.INVALID, _("The reason contains control characters."), field="reason")
    return reason[:300]


def _cancel_paid(order, lines, *, actor, reason, by, now):
    """Undo what mark_paid did, on the locked order."""
    actor_name = getattr(actor, "username", "") or by
    for shipment in Shipment.objects.filter(order_line__in=[line.reference for line in lines]).order_by("pk"):
        last_leg.cancel_shipment(shipment, actor=actor_name)
    memo = _("order %(number)s cancelled") % {"number": order.number}
    # The direct-sale units go back to their listings (the holds of local stock became shipments).
    stock.release_for_checkout(
        stock.Holding(listing_id=line.listing_id, direct_units=line.direct_units)
        for line in lines
        if line.fulfilment == Fulfilment.DIRECT and line.direct_units
    )
    for line in lines:
        for suffix in orders.LINE_EVENTS:
            ledger.reverse_event(reference=f"{line.reference}{suffix}", reason=memo, actor=actor)
        if line.origin == Origin.OWN:
            hooks.own_goods_sale_cancelled.fire(line=line, reason=memo, actor=actor)
    for group in orders._partner_groups(lines).values():
        partnership = group[0].partnership
        if partnership.is_live:
            send_to_partner(
                partnership,
                orders.STATUS_MESSAGE,
                {
                    "order": str(order.reference),
                    "status": Order.Status.CANCELLED.value,
                    "reason": reason,
                    "lines": [line.reference for line in group],
                },
            )
    CustomsDeclaration.objects.filter(order=order).update(status=CustomsDeclaration.Status.CANCELLED, updated_at=now)
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status"])
    orders._event(order, OrderEvent.Kind.CANCELLED, at=now, actor=actor, reason=reason, by=by, paid=True)
    if order.extra_lines.exists():
        hooks.paid_order_cancelled.fire(order=order)


def cancel_order(*, order, actor=None, reason="", by="ops", now=None) -> Order:
    """Cancel an order that awaits payment or is paid and has nothing shipped, then give the
    shopper's money back (void or refund, outside any transaction). `by` says who asked ("shopper"
    or "ops") for the timeline. Cancelling a cancelled order only makes sure the money went back.
    Refused (409, nothing changed) once goods have shipped: that is a return."""
    now = now or timezone.now()
    reason = _reason(reason)
    with transaction.atomic(durable=True):
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == Order.Status.AWAITING_PAYMENT:
            orders._close_unpaid(
                locked, Order.Status.CANCELLED, OrderEvent.Kind.CANCELLED, now=now, actor=actor, reason=reason, by=by
            )
        elif locked.status == Order.Status.PAID:
            lines = list(locked.lines.select_related("partnership__partner").order_by("line_number"))
            for line in lines:
                line.order = locked
            refusal = _shipped_refusal(locked, lines)
            if refusal is not None:
                raise refusal
            _cancel_paid(locked, lines, actor=actor, reason=reason, by=by, now=now)
        elif locked.status != Order.Status.CANCELLED:
            raise _state_refusal(locked)
    give_money_back(order=locked)
    order.refresh_from_db()
    return locked


# --- the money -----------------------------------------------------------------------------------


def _order_payments(order):
    return Payment.objects.filter(checkout_reference=str(order.checkout.reference)).order_by("created_at", "id")


def give_money_back(*, order) -> list[Payment]:
    """Every payment made for a cancelled order gives its money back: one still open or only
    authorised is voided, captured money is refunded (once, under the cancellation's key). A
    provider that does not answer now is asked again by the beat (`settle_cancelled_orders`).
    Never inside a transaction: it calls the providers."""
    done = []
    for payment in _order_payments(order):
        reason = _("order %(number)s cancelled") % {"number": order.number}
        try:
            if payment.state in (*Payment.OPEN_STATES, State.AUTHORISED):
                payment = payments.cancel_payment(payment=payment, reason=reason)
            elif payment.state in (State.CAPTURED, State.PARTIALLY_REFUNDED):
                payment = payments.refund_payment(payment=payment, reason=reason, key=REFUND_KEY)
        except DomainError as error:
            logger.warning(
                "payment %s of cancelled order %s not given back yet: %s", payment.token, order.number, error.detail
            )
        done.append(payment)
    return done


def settle_cancelled_orders(*, limit=200) -> int:
    """The beat's catch-up: cancelled orders whose payment still holds money (the process died
    after the cancellation committed, or the provider did not answer) give it back now. Payments
    that never placed their order are the abandoned-payments beat's."""
    holding = Payment.objects.filter(state__in=Payment.HOLDS_MONEY, order_placed_at__isnull=False).values("token")
    cancelled = (
        Order.objects.filter(status=Order.Status.CANCELLED, paid_at__isnull=False, payment_reference__in=holding)
        .select_related("checkout")
        .order_by("pk")[:limit]
    )
    settled = 0
    for order in cancelled:
        if all(p.state not in Payment.HOLDS_MONEY for p in give_money_back(order=order)):
            settled += 1
    return settled


@dataclass(frozen=True)
class RefundStatus:
    """What the shopper is told about the money of a cancelled order: `none` (nothing was taken),
    `voided` (the authorisation was released, nothing charged), `refunded` (with the amount), or
    `pending` (asked for, not yet confirmed by the provider)."""

    status: str
    amount: Money | None = None


def refund_status(order) -> RefundStatus:
    found = list(_order_payments(order).exclude(state__in=[State.DECLINED, State.FAILED]))
    if any(p.state in (*Payment.OPEN_STATES, *Payment.HOLDS_MONEY) for p in found):
        return RefundStatus("pending")
    refunded = [p for p in found if p.state == State.REFUNDED]
    if refunded:
        currency = str(order.total.currency)
        amount = money.quantize(sum(p.refunded_amount for p in refunded), currency)
        return RefundStatus("refunded", Money(amount, currency))
    if any(p.authorised_amount for p in found):
        return RefundStatus("voided")
    return RefundStatus("none")
