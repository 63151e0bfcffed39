"""Paying for an order: the glue between the shop (orders) and the payment providers (payment).

The shop places an order awaiting payment; `start_order_payment` opens a payment for exactly the
order's total at the provider the shopper chose, under the checkout's reference, expiring with the
order. Once the provider has secured the money (its webhook, our poll, or the shopper's return),
the payment service calls `place_paid_order` after its own transaction committed: the order is
marked paid and the payment marked as having placed it, in one transaction; then the money is
captured, outside any transaction (the capture posts the ledger's `payment_captured`). An order
that expired or was cancelled meanwhile refuses the payment, which stays unplaced: the beat
`payments.void_abandoned_payments` voids or refunds it, so nobody is charged without an order.

Suspended partners: while a partnership is not active, no payment is opened for an order holding
its goods (the order page says why; the order waits until it lapses or the partnership resumes),
and an order whose money is secured anyway is not paid nor forwarded: `mark_paid` refuses it, and
the order is cancelled whole with the reason and its payments voided or refunded.

Windows: `SHOP["PAYMENT_MINUTES"]` drives both. It sets the order's `payment_due_at`, and a
payment for an order expires at that same moment (settings derive
`PAYMENT_OPTIONS["PAYMENT_WINDOW_MINUTES"]` from it for payments made outside the shop)."""

import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder.errors import DomainError

from ...errors import CheckoutErrorCode as Code
from ...providers import declines, default_provider_code, get_provider, provider_codes
from ...providers.models import Payment
from ...providers.services import payment as payments
from ..models import Order, OrderEvent
from . import cancel, orders

logger = logging.getLogger(__name__)

State = Payment.State


@dataclass(frozen=True)
class PaymentStart:
    """Where the shopper goes next to pay: our payment page for the payment just opened (it shows
    the QR code, or sends the shopper on to the provider's challenge)."""

    redirect_url: str
    payment_reference: str = ""


@dataclass(frozen=True)
class DeclinedPayment:
    """The order's last payment, declined: at which method, the provider's code and its reason in
    plain words. The order still awaits a payment: the shopper may pay again."""

    provider: str
    method: str
    code: str
    reason: str
    at: object  # datetime


def record_payment_declined(*, payment):
    """Subscriber of payments.hooks.payment_declined (inline): the order's timeline says the payment
    was declined and why (the provider's code), once per payment."""
    order = Order.objects.filter(checkout__reference=_checkout_reference(payment)).first()
    if (
        order is None
        or order.events.filter(kind=OrderEvent.Kind.PAYMENT_DECLINED, detail__payment=payment.token).exists()
    ):
        return None
    transition = payment.transitions.filter(to_state=State.DECLINED).order_by("-pk").first()
    code = declines.decline_code(transition.provider_data if transition else {})
    return orders.record_event(
        order, OrderEvent.Kind.PAYMENT_DECLINED, payment=payment.token, provider=payment.provider, code=code
    )


def _checkout_reference(payment):
    try:
        return uuid.UUID(str(payment.checkout_reference))
    except ValueError:
        return None


def declined_payment(order):
    """The order's newest payment when the provider declined it and the order still awaits one
    (no payment opened since), else None: what the order page tells the shopper."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        return None
    newest = (
        Payment.objects.filter(checkout_reference=str(order.checkout.reference)).order_by("-created_at", "-pk").first()
    )
    if newest is None or newest.state != State.DECLINED:
        return None
    transition = newest.transitions.filter(to_state=State.DECLINED).order_by("-pk").first()
    code = declines.decline_code(transition.provider_data if transition else {})
    provider = get_provider(newest.provider)
    return DeclinedPayment(
        provider=newest.provider,
        method=str(getattr(provider, "label", "") or getattr(provider, "name", "") or newest.provider),
        code=code,
        reason=str(declines.decline_reason(code)),
        at=transition.at if transition else newest.updated_at,
    )


@dataclass(frozen=True)
class PaymentMethod:
    code: str
    label: str
    is_default: bool


def payment_methods() -> list[PaymentMethod]:
    """The providers a shopper may choose at checkout, the platform's local method first."""
    default = default_provider_code()
    codes = [default, *(code for code in provider_codes() if code != default)]
    methods = []
    for code in codes:
        provider = get_provider(code)
        label = getattr(provider, "label", "") or getattr(provider, "name", "") or code
        methods.append(PaymentMethod(code=code, label=str(label), is_default=code == default))
    return methods


def chosen_provider(code) -> str:
    """The provider the shopper chose (the platform's default when none was posted), or a refusal
    naming the field when it is not one this platform offers."""
    code = str(code or "").strip()
    if not code:
        return default_provider_code()
    if code not in provider_codes():
        raise DomainError(Code.INVALID, _("Choose one of the payment methods offered."), field="provider", status=400)
    return code


def checkout_payments(order):
    """The payments made for an order (under its checkout's reference), newest first."""
    return Payment.objects.filter(checkout_reference=str(order.checkout.reference)).order_by("-created_at", "-id")


def _open_payment(order, provider, now):
    """A payment for this order still waiting for the shopper at the same provider: paying again
    (a second click on "pay now") goes back to it instead of opening a second one."""
    return (
        checkout_payments(order)
        .filter(provider=provider, state__in=Payment.OPEN_STATES, expires_at__gt=now)
        .exclude(provider_payment_id="")
        .first()
    )


def start_order_payment(*, order, return_url, provider=None, now=None) -> PaymentStart:
    """Open a payment for an order awaiting payment, for exactly its total, at `provider` (default:
    the platform's local method), expiring when the order stops waiting. The provider is called
    outside any transaction (the payment service refuses to run inside one)."""
    now = now or timezone.now()
    provider = chosen_provider(provider)
    order = Order.objects.select_related("checkout").get(pk=order.pk)
    if order.status != Order.Status.AWAITING_PAYMENT or order.payment_due_at <= now:
        raise orders.unpayable(order)
    suspended = orders.suspended_partnerships(order.lines.all())
    if suspended:
        raise orders.suspended_refusal(order, suspended)
    payment = _open_payment(order, provider, now)
    if payment is None:
        payment = payments.start_payment(
            checkout_reference=str(order.checkout.reference),
            amount=order.total.amount,
            currency=str(order.total.currency),
            provider=provider,
            return_url=return_url,
            description=_("Order %(number)s") % {"number": order.number},
            expires_at=order.payment_due_at,
            now=now,
        )
    return PaymentStart(
        redirect_url=reverse("payments:payment", kwargs={"token": payment.token}),
        payment_reference=payment.token,
    )


def _order_of(payment):
    try:
        reference = uuid.UUID(payment.checkout_reference)
    except ValueError:
        return None  # a payment not made by the shop's checkout
    return Order.objects.filter(checkout__reference=reference).first()


def place_paid_order(*, payment) -> Order | None:
    """The payment holds the money: mark its order paid and the payment as having placed it (one
    transaction, after the payment's own committed), then capture it (outside any transaction).
    Idempotent: a duplicate webhook, or a poll racing one, finds the order paid by this payment and
    only makes sure the money is captured. Returns the paid order, or None when there is no order
    for the payment or the order refuses it (expired, cancelled, paid by another payment): the
    payment then stays unplaced for the beat to void or refund."""
    order = _order_of(payment)
    if order is None:
        return None
    try:
        with transaction.atomic(durable=True):
            # The order's lock first (mark_paid), then the payment's (mark_order_placed).
            locked = Payment.objects.get(pk=payment.pk)
            paid = orders.mark_paid(
                order=order,
                payment_reference=locked.token,
                amount=Money(locked.authorised_amount, locked.currency),
            )
            payment = payments.mark_order_placed(payment=locked)
    except DomainError as refused:
        logger.info("payment %s not placed for order %s: %s", payment.token, order.number, refused.detail)
        if refused.code == Code.PARTNERSHIP_SUSPENDED:
            _cancel_for_suspended_partner(order)
        return None
    capture(payment)
    return paid


def _cancel_for_suspended_partner(order):
    """The money was secured (the shopper approved at the provider before the suspension, or the
    provider decided late) for an order with goods of a partner whose partnership is now
    suspended: the whole order is cancelled at once with the reason, and every payment for it is
    voided or refunded. Cancelled whole rather than split: the shopper chose the basket as a
    whole, the total, the duties and the customs declaration were computed for it, and a clean
    "cancelled, nothing charged" is clearer than a partial order with a partial refund."""
    names = ", ".join(p.partner.name for p in orders.suspended_partnerships(order.lines.all()))
    reason = _(
        "The partnership with %(partner)s was suspended before your payment arrived: the order is cancelled "
        "and your payment released."
    ) % {"partner": names or _("our partner")}
    try:
        cancel.cancel_order(order=order, reason=reason, by="platform")
    except DomainError as error:  # paid or cancelled meanwhile by another path
        logger.info("order %s not cancelled for its suspended partner: %s", order.number, error.detail)


def capture(payment):
    """Take the money of a payment that placed its order; a provider that does not answer now is
    asked again by `settle_secured_payments`."""
    if payment.state != State.AUTHORISED:
        return payment
    try:
        return payments.capture_payment(payment=payment)
    except DomainError as error:
        logger.warning("payment %s not captured yet: %s", payment.token, error.detail)
        return payment


def settle_secured_payments(*, now=None, limit=200) -> dict:
    """The beat's catch-up, for a process that died between a payment's commit and the order's:
    payments holding money that placed no order yet try to place it, cancelled orders whose money
    was not given back yet give it back, and payments that placed their (uncancelled) order but are
    still only authorised are captured. Idempotent."""
    now = now or timezone.now()
    done = {"placed": 0, "captured": 0, "given_back": 0}
    unplaced = Payment.objects.filter(
        order_placed_at__isnull=True, state__in=[State.AUTHORISED, State.CAPTURED]
    ).order_by("created_at", "id")[:limit]
    for payment in unplaced:
        if place_paid_order(payment=payment) is not None:
            done["placed"] += 1
    done["given_back"] = cancel.settle_cancelled_orders(limit=limit)
    cancelled = Order.objects.filter(status=Order.Status.CANCELLED, paid_at__isnull=False).values("payment_reference")
    uncaptured = (
        Payment.objects.filter(order_placed_at__isnull=False, state=State.AUTHORISED)
        .exclude(token__in=cancelled)  # a cancelled order's money is given back, never taken
        .order_by("created_at", "id")[:limit]
    )
    for payment in uncaptured:
        if capture(payment).state == State.CAPTURED:
            done["captured"] += 1
    return done
