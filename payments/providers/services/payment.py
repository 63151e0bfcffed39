"""Payments at local providers: start one, poll it, capture, refund (full or partial), cancel, take
the provider's webhooks, and void or refund payments whose checkout never placed an order.

A provider is a network service, so it is never called inside a database transaction: each
operation records its intent (a ProviderCall with the idempotency key the provider receives) and
commits, calls the provider, then records the answer in a second transaction. The steps use
`atomic(durable=True)`, so calling an operation inside someone else's transaction fails loudly
instead of holding locks over the network. A state change goes through `transition`'s checks and is
recorded as a PaymentTransition; captured money and refunds are posted to the ledger, each once (the
ledger reference is unique). Once a payment holds the money, the subscribers of
payments.hooks.money_secured run after the commit (the shop places the payment's order: paying.py)."""

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder import money
from crossborder.errors import DomainError

from ... import hooks
from ...errors import PaymentErrorCode as Code
from ...ledger.amounts import MoneySum
from ...ledger.services import ledger
from .. import (
    PaymentRequest,
    ProviderError,
    ProviderPayment,
    ProviderStatus,
    WebhookEventType,
    WebhookIgnored,
    WebhookRejected,
    default_provider_code,
    get_provider,
)
from ..models import Payment, PaymentTransition, ProviderCall, WebhookReceipt

logger = logging.getLogger(__name__)

State = Payment.State
Operation = ProviderCall.Operation
CallStatus = ProviderCall.Status

__all__ = [
    "cancel_payment",
    "capture_payment",
    "handle_webhook",
    "mark_order_placed",
    "refresh_payment",
    "refund_payment",
    "start_payment",
    "transition",
    "void_abandoned_payments",
]


# --- amounts and the state machine ---------------------------------------------------------------


def _refuse_move(payment, to):
    return DomainError(
        Code.ILLEGAL_TRANSITION,
        _("A payment that is %(from)s cannot become %(to)s.")
        % {"from": State(payment.state).label, "to": State(to).label},
        field="state",
        status=409,
    )


def _check_move(payment, to):
    if to not in Payment.ALLOWED[State(payment.state)]:
        raise _refuse_move(payment, to)


def _move(payment, to, *, reason, provider_data=None):
    """Change a locked payment's state along the state machine and record the transition."""
    to = State(to)
    _check_move(payment, to)
    PaymentTransition.objects.create(
        payment=payment, from_state=payment.state, to_state=to, reason=reason[:200], provider_data=provider_data or {}
    )
    payment.state = to
    if to == State.DECLINED:
        hooks.payment_declined.fire(payment=payment)


def _lock(payment) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment.pk)


def transition(*, payment, to, reason, provider_data=None) -> Payment:
    """Move `payment` to state `to`; an illegal move raises a DomainError and records nothing."""
    with transaction.atomic():
        locked = _lock(payment)
        _move(locked, to, reason=reason, provider_data=provider_data)
        locked.save(update_fields=["state", "updated_at"])
    return locked


# --- shared steps -------------------------------------------------------------------------------


def _provider_failed(call, error):
    """Record a failed call. A definitive no ends the call; an unknown outcome leaves it pending so
    that the same idempotency key is used again (the provider does it at most once)."""
    ProviderCall.objects.filter(pk=call.pk).update(
        status=CallStatus.FAILED if error.definitive else CallStatus.PENDING,
        error=str(error.detail)[:2000],
        response=error.raw,
        completed_at=timezone.now() if error.definitive else None,
    )
    if error.definitive:
        return DomainError(
            Code.PROVIDER_DECLINED,
            _("The payment provider refused: %(detail)s") % {"detail": error.detail},
            status=402,
        )
    return DomainError(
        Code.PROVIDER_UNAVAILABLE,
        _("The payment provider did not answer; try again in a moment."),
        status=503,
    )


def _complete(call, *, provider_reference="", response=None):
    call.status = CallStatus.SUCCEEDED
    call.provider_reference = provider_reference or call.provider_reference
    call.response = response or {}
    call.completed_at = timezone.now()
    call.save(update_fields=["status", "provider_reference", "response", "completed_at"])


def _record_capture(payment, amount, *, reason, provider_data=None):
    payment.captured_amount = amount
    _move(payment, State.CAPTURED, reason=reason, provider_data=provider_data)
    ledger.record_payment_captured(
        reference=f"payment:{payment.token}:capture",
        amount=Money(amount, payment.currency),
        provider=payment.provider,
    )
    pending = ProviderCall.objects.filter(
        payment=payment, operation=Operation.CAPTURE, status=CallStatus.PENDING
    ).first()
    if pending is not None:
        _complete(pending, response=provider_data)


def _record_refund(payment, call, amount, *, reason, provider_reference="", provider_data=None):
    """Apply one refund to a locked payment, once: a call already succeeded changes nothing."""
    if call.status == CallStatus.SUCCEEDED:
        return
    _complete(call, provider_reference=provider_reference, response=provider_data)
    payment.refunded_amount += amount
    to = State.REFUNDED if payment.refunded_amount >= payment.captured_amount else State.PARTIALLY_REFUNDED
    _move(payment, to, reason=call.reason or reason, provider_data=provider_data)
    ledger.record_refund(
        reference=f"payment:{payment.token}:refund:{call.number}",
        amount=Money(amount, payment.currency),
        provider=payment.provider,
    )
    hooks.payment_refunded.fire(payment=payment, amount=amount, number=call.number, reason=call.reason or reason)


def _apply_snapshot(payment, snapshot: ProviderPayment, *, reason, provider_data=None):
    """Bring a locked payment up to what the provider says. Stale news (an authorisation reported
    after the capture) changes nothing."""
    status, state = snapshot.status, payment.state
    if status == ProviderStatus.PENDING:
        if state == State.CREATED:
            _move(payment, State.PENDING, reason=reason, provider_data=provider_data)
    elif status in (ProviderStatus.AUTHORISED, ProviderStatus.CAPTURED):
        if state in Payment.OPEN_STATES:
            payment.authorised_amount = snapshot.authorised_amount
            _move(payment, State.AUTHORISED, reason=reason, provider_data=provider_data)
        if status == ProviderStatus.CAPTURED and payment.state == State.AUTHORISED:
            _record_capture(payment, snapshot.captured_amount, reason=reason, provider_data=provider_data)
    elif status == ProviderStatus.DECLINED:
        if state in Payment.OPEN_STATES:
            _move(payment, State.DECLINED, reason=reason, provider_data=provider_data)
    elif status in (ProviderStatus.CANCELLED, ProviderStatus.EXPIRED) and state in (
        *Payment.OPEN_STATES,
        State.AUTHORISED,
    ):
        # When the provider's news is the cancel we asked for, the transition says why we asked.
        asked = ProviderCall.objects.filter(
            payment=payment, operation=Operation.CANCEL, status=CallStatus.PENDING
        ).first()
        _move(payment, State.CANCELLED, reason=(asked and asked.reason) or reason, provider_data=provider_data)
        if asked is not None:
            _complete(asked, response=provider_data)


def _return_url(payment):
    return settings.PLATFORM_BASE_URL + reverse("payments:payment-return", kwargs={"token": payment.token})


# --- who acts once the money is secured ---------------------------------------------------------

# payments.hooks.money_secured: fired after the transaction that recorded the payment committed,
# outside any transaction (its subscriber, the shop, may call providers).


def _announce_money_secured(payment):
    if payment.state in (State.AUTHORISED, State.CAPTURED) and payment.order_placed_at is None:
        hooks.money_secured.fire(payment=payment)


# --- operations ---------------------------------------------------------------------------------


def start_payment(
    *,
    checkout_reference,
    amount,
    currency,
    provider=None,
    return_url="",
    description="",
    expires_at=None,
    now=None,
) -> Payment:
    """Open a payment for a checkout at `provider` (default: the platform's local method). Returns
    the payment, `pending` with its `next_action` (a redirect, or a QR code to scan) for the shopper.
    `return_url` is where the shopper goes once the payment is decided."""
    provider_code = provider or default_provider_code()
    gateway = get_provider(provider_code)
    currency = str(currency).upper()
    amount = money.parse_amount(amount, currency, positive=True)
    checkout_reference = str(checkout_reference or "").strip()
    if not checkout_reference or len(checkout_reference) > 64:
        raise DomainError(
            Code.INVALID_CHECKOUT,
            _("A payment needs the reference of its checkout (at most 64 characters)."),
            field="checkout_reference",
        )
    now = now or timezone.now()
    expires_at = expires_at or now + dt.timedelta(minutes=settings.PAYMENT_OPTIONS["PAYMENT_WINDOW_MINUTES"])
    with transaction.atomic(durable=True):
        payment = Payment.objects.create(
            checkout_reference=checkout_reference,
            amount=amount,
            currency=currency,
            provider=provider_code,
            return_url=return_url,
            expires_at=expires_at,
            created_at=now,
        )
        call = ProviderCall.objects.create(
            payment=payment, operation=Operation.CREATE, idempotency_key=f"{payment.token}:create", amount=amount
        )
    request = PaymentRequest(
        reference=payment.token,
        amount=amount,
        currency=currency,
        return_url=_return_url(payment),
        idempotency_key=call.idempotency_key,
        expires_at=expires_at,
        description=description,
    )
    try:
        answer = gateway.create_payment(request)
    except ProviderError as error:
        refusal = _provider_failed(call, error)
        if error.definitive:
            transition(payment=payment, to=State.FAILED, reason=str(error.detail), provider_data=error.raw)
        raise refusal
    with transaction.atomic(durable=True):
        payment = _lock(payment)
        _complete(call, provider_reference=answer.provider_payment_id, response=answer.raw)
        payment.provider_payment_id = answer.provider_payment_id
        payment.next_action = answer.next_action.as_dict()
        _apply_snapshot(payment, answer, reason="created at the provider", provider_data=answer.raw)
        payment.save()
    _announce_money_secured(payment)
    return payment


def refresh_payment(*, payment) -> Payment:
    """Ask the provider where a payment stands (the checkout page polls this) and catch up."""
    payment = Payment.objects.get(pk=payment.pk)
    if payment.state not in (*Payment.OPEN_STATES, State.AUTHORISED) or not payment.provider_payment_id:
        return payment
    try:
        snapshot = get_provider(payment.provider).fetch_payment(payment.provider_payment_id)
    except ProviderError as error:
        raise DomainError(
            Code.PROVIDER_UNAVAILABLE,
            _("The payment provider did not answer; try again in a moment."),
            status=503 if not error.definitive else 502,
        )
    if snapshot.status == ProviderStatus.PENDING and payment.state == State.PENDING:
        return payment  # most polls: still waiting, nothing to lock or write
    with transaction.atomic(durable=True):
        payment = _lock(payment)
        before = payment.state
        _apply_snapshot(payment, snapshot, reason="polled", provider_data=snapshot.raw)
        if payment.state != before:
            payment.next_action = snapshot.next_action.as_dict()
            payment.save()
    _announce_money_secured(payment)
    return payment


def capture_payment(*, payment) -> Payment:
    """Take the authorised money. Capturing a captured payment returns it as it is."""
    with transaction.atomic(durable=True):
        payment = _lock(payment)
        if payment.state != State.AUTHORISED:
            if ProviderCall.objects.filter(
                payment=payment, operation=Operation.CAPTURE, status=CallStatus.SUCCEEDED
            ).exists():
                return payment
            raise _refuse_move(payment, State.CAPTURED)
        call, _created = ProviderCall.objects.get_or_create(
            idempotency_key=f"{payment.token}:capture",
            defaults={"payment": payment, "operation": Operation.CAPTURE, "amount": payment.authorised_amount},
        )
        if call.status == CallStatus.FAILED:  # an earlier refusal: ask again with the same key
            call.status = CallStatus.PENDING
            call.save(update_fields=["status"])
    try:
        result = get_provider(payment.provider).capture(
            payment.provider_payment_id, amount=call.amount, idempotency_key=call.idempotency_key
        )
    except ProviderError as error:
        raise _provider_failed(call, error)
    with transaction.atomic(durable=True):
        payment = _lock(payment)
        if payment.state == State.AUTHORISED:  # else a webhook recorded the capture first
            _record_capture(payment, result.amount or call.amount, reason="captured", provider_data=result.raw)
            payment.save()
        call.refresh_from_db()
        if call.status == CallStatus.PENDING:
            _complete(call, provider_reference=result.provider_reference, response=result.raw)
    return payment


def _keyed_refund(payment, key):
    """The refund already asked for under `key` (one business event, such as the order's
    cancellation), made ready to ask again with the same idempotency key; None if there is none."""
    call = ProviderCall.objects.filter(payment=payment, idempotency_key=f"{payment.token}:{key}").first()
    if call is not None and call.status == CallStatus.FAILED:  # an earlier refusal: ask again, same key
        call.status = CallStatus.PENDING
        call.save(update_fields=["status"])
    return call


def refund_payment(*, payment, amount=None, reason="refund", key=None, _only_if_abandoned=False) -> Payment | None:
    """Give back `amount` of the captured money, or all that is left (`amount=None`). Refunds are
    numbered per payment; one in flight counts against what is left, so two at once cannot give
    back more than was captured. With `key`, the refund is one business event's (an order's
    cancellation): asking again finds it, done or still to be confirmed with the same idempotency
    key at the provider, so it is made once however often it is asked for."""
    with transaction.atomic(durable=True):
        payment = _lock(payment)
        if _only_if_abandoned and payment.order_placed_at is not None:
            return None
        call = _keyed_refund(payment, key) if key else None
        if call is not None and call.status == CallStatus.SUCCEEDED:
            return payment
        if payment.state not in (State.CAPTURED, State.PARTIALLY_REFUNDED):
            raise _refuse_move(payment, State.REFUNDED)
        if call is None:
            call = _new_refund_call(payment, amount, reason, key)
    return _send_refund(payment, call, reason)


def _new_refund_call(payment, amount, reason, key):
    """Record the intent to refund, on a locked payment (committed before the provider is called)."""
    calls = ProviderCall.objects.filter(payment=payment, operation=Operation.REFUND)
    in_flight = calls.filter(status=CallStatus.PENDING).aggregate(total=MoneySum("amount"))["total"] or Decimal(0)
    left = payment.captured_amount - payment.refunded_amount - in_flight
    if amount is None:
        if left <= 0:
            raise DomainError(Code.OPERATION_IN_FLIGHT, _("A refund of this payment is already under way."), status=409)
        amount = left
    else:
        amount = money.parse_amount(amount, payment.currency, positive=True)
        if amount > left:
            raise DomainError(
                Code.REFUND_EXCEEDS_CAPTURED,
                _("At most %(left)s %(currency)s of this payment can still be refunded.")
                % {
                    "left": money.quantize(left, payment.currency),
                    "currency": payment.currency,
                },
                field="amount",
                status=409,
            )
    number = (calls.aggregate(last=Max("number"))["last"] or 0) + 1
    return ProviderCall.objects.create(
        payment=payment,
        operation=Operation.REFUND,
        number=number,
        idempotency_key=f"{payment.token}:{key}" if key else f"{payment.token}:refund:{number}",
        amount=amount,
        reason=reason[:200],
    )


def _send_refund(payment, call, reason):
    """Ask the provider for a recorded refund, then record its answer."""
    amount = call.amount
    try:
        result = get_provider(payment.provider).refund(
            payment.provider_payment_id, amount=amount, idempotency_key=call.idempotency_key
        )
    except ProviderError as error:
        raise _provider_failed(call, error)
    with transaction.atomic(durable=True):
        payment = _lock(payment)
        call = ProviderCall.objects.select_for_update().get(pk=call.pk)
        _record_refund(
            payment,
            call,
            amount,
            reason=reason,
            provider_reference=result.provider_reference,
            provider_data=result.raw,
        )
        payment.save()
    return payment


def cancel_payment(*, payment, reason="cancelled", _only_if_abandoned=False) -> Payment | None:
    """Void a payment that has not been captured (waiting for the shopper, or authorised): the
    shopper can no longer approve it and an authorisation hold is released."""
    with transaction.atomic(durable=True):
        payment = _lock(payment)
        if _only_if_abandoned and payment.order_placed_at is not None:
            return None
        _check_move(payment, State.CANCELLED)
        if not payment.provider_payment_id:  # the provider never answered: nothing to void there
            _move(payment, State.CANCELLED, reason=reason)
            payment.save()
            return payment
        call, _created = ProviderCall.objects.get_or_create(
            idempotency_key=f"{payment.token}:cancel",
            defaults={"payment": payment, "operation": Operation.CANCEL, "reason": reason[:200]},
        )
    try:
        result = get_provider(payment.provider).cancel(
            payment.provider_payment_id, idempotency_key=call.idempotency_key
        )
    except ProviderError as error:
        raise _provider_failed(call, error)
    with transaction.atomic(durable=True):
        payment = _lock(payment)
        if payment.state in (*Payment.OPEN_STATES, State.AUTHORISED):  # else a webhook got here first
            _move(payment, State.CANCELLED, reason=reason, provider_data=result.raw)
            payment.save()
        _complete(call, provider_reference=result.provider_reference, response=result.raw)
    return payment


def mark_order_placed(*, payment, at=None) -> Payment:
    """The checkout placed its order with this payment (call it in the order's transaction): the
    payment is then never voided as abandoned. Refused unless the money is authorised or captured."""
    payment = _lock(payment)
    if payment.state not in (State.AUTHORISED, State.CAPTURED):
        raise DomainError(
            Code.PAYMENT_NOT_COMPLETED,
            _("The payment is %(state)s; an order needs an authorised or captured payment.")
            % {"state": State(payment.state).label},
            field="payment",
            status=409,
        )
    if ProviderCall.objects.filter(payment=payment, operation=Operation.CANCEL).exists():
        # The beat has begun voiding it as abandoned: the provider may already have released the money.
        raise DomainError(
            Code.PAYMENT_NOT_COMPLETED,
            _("The payment is being cancelled; an order needs an authorised or captured payment."),
            field="payment",
            status=409,
        )
    if payment.order_placed_at is None:
        payment.order_placed_at = at or timezone.now()
        payment.save(update_fields=["order_placed_at", "updated_at"])
    return payment


# --- webhooks -----------------------------------------------------------------------------------


def _find_payment(provider_code, snapshot):
    payments = Payment.objects.select_for_update()
    payment = payments.filter(provider=provider_code, provider_payment_id=snapshot.provider_payment_id).first()
    if payment is None:
        # A webhook can beat the provider's answer to create: find the payment by our reference.
        token = str(snapshot.raw.get("merchant_reference", ""))
        payment = (
            payments.filter(provider=provider_code, token=token, provider_payment_id="").first() if token else None
        )
    if payment is None and snapshot.reference:
        # The provider's event names a related object (Stripe's PaymentIntent of a Checkout Session)
        # and carries our token, which the provider was given when the payment was created.
        payment = payments.filter(provider=provider_code, token=snapshot.reference).first()
    return payment


def _event_amounts(event):
    """(field, amount) of every amount a webhook event states."""
    snapshot = event.payment
    amounts = [
        ("authorised_amount", snapshot.authorised_amount),
        ("captured_amount", snapshot.captured_amount),
        ("refunded_amount", snapshot.refunded_amount),
    ]
    if snapshot.amount is not None:
        amounts.append(("amount", snapshot.amount))
    if event.refund_amount is not None:
        amounts.append(("refund_amount", event.refund_amount))
    return amounts


def _refuse_event(field, detail, *, code=Code.INVALID_PAYLOAD, status=400):
    return DomainError(code, detail, field=field, status=status)


def _check_event_amounts_readable(event):
    """Every amount a number, finite and not negative, whatever the provider's parser let through."""
    for field, amount in _event_amounts(event):
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
            raise _refuse_event(
                field, _("The webhook's %(field)s is not an amount: %(value)s.") % {"field": field, "value": amount}
            )


def _check_event_matches_payment(payment, event):
    """A webhook tells of this payment: its amounts fit the payment's (money authorised or captured
    is the payment's whole amount, we never ask for less) and its currency is the payment's. One that
    does not is refused before anything is recorded, so the genuine news still applies later."""
    snapshot, currency = event.payment, payment.currency
    for field, amount in _event_amounts(event):
        if amount > payment.amount or not money.has_minor_units_only(amount, currency):
            raise _refuse_event(
                field,
                _("The webhook's %(field)s %(value)s does not fit the payment of %(amount)s %(currency)s.")
                % {"field": field, "value": amount, "amount": payment.amount, "currency": currency},
                code=Code.WEBHOOK_AMOUNT_MISMATCH,
                status=409,
            )
    holds_money = snapshot.status in (ProviderStatus.AUTHORISED, ProviderStatus.CAPTURED)
    captured = snapshot.status == ProviderStatus.CAPTURED
    wrong = [
        ("currency", bool(snapshot.currency) and snapshot.currency != currency),
        ("amount", snapshot.amount is not None and snapshot.amount != payment.amount),
        ("authorised_amount", holds_money and snapshot.authorised_amount != payment.amount),
        ("captured_amount", captured and snapshot.captured_amount != snapshot.authorised_amount),
        ("captured_amount", snapshot.captured_amount > snapshot.authorised_amount),
        ("refunded_amount", snapshot.refunded_amount > snapshot.captured_amount),
        (
            "refund_amount",
            event.refund_amount is not None and not 0 < event.refund_amount <= snapshot.captured_amount,
        ),
    ]
    mismatch = next((field for field, is_wrong in wrong if is_wrong), None)
    if mismatch:
        raise _refuse_event(
            mismatch,
            _("The webhook's %(field)s does not match the payment of %(amount)s %(currency)s.")
            % {"field": mismatch, "amount": payment.amount, "currency": currency},
            code=Code.WEBHOOK_AMOUNT_MISMATCH,
            status=409,
        )


def _apply_refund_event(payment, event):
    if payment.state in (*Payment.OPEN_STATES, State.AUTHORISED):  # the capture's own webhook is late
        _apply_snapshot(
            payment,
            ProviderPayment(
                provider_payment_id=event.payment.provider_payment_id,
                status=ProviderStatus.CAPTURED,
                authorised_amount=event.payment.authorised_amount,
                captured_amount=event.payment.captured_amount,
            ),
            reason=f"webhook {event.event_type}",
            provider_data=event.raw,
        )
    call = None
    if event.refund_idempotency_key:
        call = ProviderCall.objects.filter(payment=payment, idempotency_key=event.refund_idempotency_key).first()
    if call is None:  # a refund made at the provider directly (its dashboard): number it here
        number = (
            ProviderCall.objects.filter(payment=payment, operation=Operation.REFUND).aggregate(last=Max("number"))[
                "last"
            ]
            or 0
        ) + 1
        call = ProviderCall.objects.create(
            payment=payment,
            operation=Operation.REFUND,
            number=number,
            idempotency_key=f"{payment.provider}:{event.refund_reference or event.event_id}",
            amount=event.refund_amount,
        )
    left = (payment.captured_amount - payment.refunded_amount) if call.status != CallStatus.SUCCEEDED else None
    if left is not None and (event.refund_amount > left or (call.amount and event.refund_amount != call.amount)):
        raise _refuse_event(
            "refund_amount",
            _("The webhook's refund of %(value)s %(currency)s does not match the refund asked or what is left.")
            % {"value": event.refund_amount, "currency": payment.currency},
            code=Code.WEBHOOK_AMOUNT_MISMATCH,
            status=409,
        )
    _record_refund(
        payment,
        call,
        event.refund_amount,
        reason=f"webhook {event.event_type}",
        provider_reference=event.refund_reference,
        provider_data=event.raw,
    )


def handle_webhook(*, provider, headers, body: bytes, now=None) -> dict:
    """Verify and apply a provider's webhook. Unsigned, stale, future-dated or forged webhooks raise a
    DomainError (400/401) and change nothing; a repeated event id returns the first result."""
    gateway = get_provider(provider)
    try:
        event = gateway.parse_webhook(headers, body, now=now)
    except WebhookIgnored as ignored:
        return {"event": ignored.event_id, "outcome": "ignored", "detail": ignored.detail}
    except WebhookRejected as rejected:
        raise DomainError(
            rejected.code,
            rejected.detail,
            field=rejected.field or ("body" if rejected.code == Code.INVALID_PAYLOAD else "signature"),
            status=rejected.status,
        )
    _check_event_amounts_readable(event)
    first = WebhookReceipt.objects.filter(provider=provider, event_id=event.event_id).first()
    if first is not None:
        return first.result
    try:
        with transaction.atomic(durable=True):
            payment = _find_payment(provider, event.payment)
            # Checked again under the payment's lock: a concurrent delivery of the same event waits here.
            first = WebhookReceipt.objects.filter(provider=provider, event_id=event.event_id).first()
            if first is not None:
                return first.result
            if payment is None:
                result = {"event": event.event_id, "outcome": "ignored", "detail": "no such payment"}
            else:
                _check_event_matches_payment(payment, event)
                if not payment.provider_payment_id:
                    payment.provider_payment_id = event.payment.provider_payment_id
                if event.event_type == WebhookEventType.REFUNDED and event.refund_amount is not None:
                    _apply_refund_event(payment, event)
                else:
                    _apply_snapshot(
                        payment, event.payment, reason=f"webhook {event.event_type}", provider_data=event.raw
                    )
                payment.save()
                result = {
                    "event": event.event_id,
                    "outcome": "applied",
                    "payment": payment.token,
                    "state": payment.state,
                }
            WebhookReceipt.objects.create(
                provider=provider,
                event_id=event.event_id,
                event_type=str(event.event_type),
                payment=payment,
                raw_body=body.decode("utf-8", errors="replace"),
                result=result,
            )
    except IntegrityError:
        first = WebhookReceipt.objects.filter(provider=provider, event_id=event.event_id).first()
        if first is None:
            raise
        return first.result
    if payment is not None:
        _announce_money_secured(payment)
    return result


# --- abandoned payments -------------------------------------------------------------------------


def void_abandoned_payments(*, now=None, limit=500) -> dict:
    """Payments holding or waiting for money whose checkout placed no order by their expiry plus
    the grace period: void those not captured, refund the rest, so no shopper is charged without an
    order. Idempotent: a second run finds nothing left to do."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.PAYMENT_OPTIONS["ABANDONED_GRACE_MINUTES"])
    abandoned = list(
        Payment.objects.filter(
            order_placed_at__isnull=True,
            expires_at__lte=cutoff,
            state__in=[*Payment.OPEN_STATES, *Payment.HOLDS_MONEY],
        ).order_by("expires_at", "id")[:limit]
    )
    done = {"voided": 0, "refunded": 0, "failed": 0}
    for payment in abandoned:
        try:
            if payment.state in (*Payment.OPEN_STATES, State.AUTHORISED):
                if cancel_payment(payment=payment, reason="abandoned: no order placed", _only_if_abandoned=True):
                    done["voided"] += 1
            elif refund_payment(payment=payment, reason="abandoned: no order placed", _only_if_abandoned=True):
                done["refunded"] += 1
        except DomainError as error:
            done["failed"] += 1
            logger.warning("abandoned payment %s not voided: %s", payment.token, error.detail)
    return done
