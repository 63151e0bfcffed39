"""Cards at Stripe, with 3-D Secure, through the official `stripe` SDK.

Why Checkout and not a bare PaymentIntent: the platform never sees card numbers, and a server-side
PaymentIntent can only be confirmed with a payment method collected by Stripe's own card form. Real
integrations that send the shopper away to pay (our NextAction is a redirect) therefore create a
Stripe Checkout Session: Stripe's hosted page collects the card, runs the 3-D Secure challenge when
the issuer asks for one, and sends the shopper back to our return URL. The session is created in
manual-capture mode (`payment_intent_data.capture_method = "manual"`), so its PaymentIntent stops at
`requires_capture` and the platform captures once the order is placed; capture, cancel and refund
are then PaymentIntent and Refund calls.

- The payment's provider id is the Checkout Session id (`cs_...`): its PaymentIntent only exists once
  the shopper has paid. Capture and refund look the PaymentIntent up through the session.
- Every state-changing call carries the platform's idempotency key (`Idempotency-Key`).
- Amounts go in the currency's minor units as Stripe counts them (JPY 0 decimals; USD and CNY 2;
  BHD, JOD, KWD, OMR, TND 3 with a last digit of 0; ISK 2 with "00"), converted exactly with Decimal;
  an amount that does not fit is refused, never rounded.
- Webhooks are verified by the SDK (`stripe.Webhook.construct_event`) with the endpoint secret and
  the platform's tolerance. PaymentIntent and Charge events name the PaymentIntent, not the session:
  they carry our payment token in the metadata set at creation, which is how the payment is found.
- A refund is recorded from our own call's answer, and from `refund.created`/`refund.updated` once
  succeeded (one made in Stripe's dashboard too), or `charge.refunded` where the charge lists its
  refunds; the same refund is recorded once whichever arrives.
- A failed card attempt (`payment_intent.payment_failed`) leaves the payment pending: on Checkout the
  shopper may try another card until the session expires (`checkout.session.expired`).

Options (settings.PAYMENT_PROVIDERS["stripe"]): SECRET_KEY, WEBHOOK_SECRET, API_BASE (a stand-in's
address; Stripe's own by default), TIMEOUT (seconds, 30), MAX_NETWORK_RETRIES (the SDK's own retries
of a timed-out call with the same key, 2)."""

import json
from decimal import Decimal, InvalidOperation

import stripe
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from crossborder import money

from ..errors import PaymentErrorCode as Code
from .base import (
    NextAction,
    OperationResult,
    PaymentRequest,
    ProviderError,
    ProviderPayment,
    ProviderStatus,
    WebhookEvent,
    WebhookEventType,
    WebhookIgnored,
    WebhookRejected,
)

# Stripe's currency rules (docs.stripe.com/currencies), where they differ from ISO 4217 (the
# decimals crossborder.money counts): MGA in whole units; ISK sent with two decimals.
STRIPE_DIGITS = {"MGA": 0, "ISK": 2}
# Decimals Stripe accepts in an amount where fewer than it counts: three-decimal currencies end in
# 0; ISK in whole units ("00").
ACCEPTED_DIGITS = {"BHD": 2, "JOD": 2, "KWD": 2, "OMR": 2, "TND": 2, "ISK": 0}

SESSION_WINDOW_MIN_SECONDS = 30 * 60 + 60  # Stripe wants a session to live 30 minutes to 24 hours
SESSION_WINDOW_MAX_SECONDS = 24 * 3600 - 60


def minor_exponent(currency) -> int:
    """How many decimals Stripe counts in `currency`'s amounts."""
    currency = str(currency).upper()
    return STRIPE_DIGITS.get(currency, money.minor_digits(currency))


def to_minor_units(amount, currency) -> int:
    """`amount` in Stripe's minor units of `currency`, exactly, or a definitive ProviderError."""
    currency = str(currency).upper()
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ProviderError(f"{amount!r} is not an amount.", definitive=True)
    if not value.is_finite() or value <= 0:
        raise ProviderError(f"{value} {currency} is not a positive amount.", definitive=True)
    try:
        exponent = minor_exponent(currency)
        allowed = ACCEPTED_DIGITS.get(currency, exponent)
        money.to_minor_units(value, currency, digits=allowed)
    except money.MoneyError:
        raise ProviderError(
            f"{value} {currency} has more decimals than Stripe accepts for {currency}.", definitive=True
        )
    return money.to_minor_units(value, currency, digits=exponent)


def from_minor_units(units, currency) -> Decimal:
    return money.from_minor_units(units, currency, digits=minor_exponent(currency))


def _error(exc) -> ProviderError:
    """Stripe's refusals are definitive; a call whose outcome is unknown may be retried with its key."""
    raw = {"type": type(exc).__name__, "code": getattr(exc, "code", None), "status": getattr(exc, "http_status", None)}
    detail = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, (stripe.APIConnectionError, stripe.RateLimitError)):
        return ProviderError(detail, definitive=False, raw=raw)
    if isinstance(exc, (stripe.CardError, stripe.InvalidRequestError, stripe.IdempotencyError)):
        return ProviderError(detail, definitive=True, raw=raw)
    status = getattr(exc, "http_status", None)
    # 5xx, a lock conflict (409), no status at all, or our key refused (401/403: fix the key, retry).
    definitive = status is not None and 400 <= status < 500 and status not in (401, 403, 409, 429)
    return ProviderError(detail, definitive=definitive, raw=raw)


def _header(headers, name):
    lowered = name.lower()
    for key, value in dict(headers).items():
        if key.lower() == lowered:
            return value
    return None


def _id(value):
    """An expandable field: the id whether Stripe sent the object or only its id."""
    if value is None or isinstance(value, str):
        return value
    return value.get("id")


class StripeCard:
    """Cards at Stripe Checkout, authorised with 3-D Secure when the issuer asks, captured later."""

    code = "stripe"
    name = gettext_lazy("Stripe")
    label = gettext_lazy("Bank card (Stripe, with 3-D Secure check)")

    def __init__(self, *, code=None, options=None):
        options = options or {}
        self.code = code or self.code
        self.secret = options.get("WEBHOOK_SECRET", "")
        http_client = stripe.RequestsClient(timeout=float(options.get("TIMEOUT", 30)))
        base_addresses = {"api": options["API_BASE"]} if options.get("API_BASE") else None
        self.client = stripe.StripeClient(
            options.get("SECRET_KEY", ""),
            base_addresses=base_addresses,
            http_client=http_client,
            max_network_retries=int(options.get("MAX_NETWORK_RETRIES", 2)),
        )

    # --- calls ------------------------------------------------------------------------------------

    def _call(self, call, *args, **kwargs):
        """One SDK call; its answer as plain dicts (a StripeObject is not a dict)."""
        try:
            answer = call(*args, **kwargs)
        except stripe.StripeError as exc:
            raise _error(exc) from exc
        return answer.to_dict() if hasattr(answer, "to_dict") else answer

    def _session(self, session_id):
        return self._call(self.client.v1.checkout.sessions.retrieve, session_id, params={"expand": ["payment_intent"]})

    def _intent_of(self, provider_payment_id):
        """The PaymentIntent behind a payment id (a session's, or a PaymentIntent's own)."""
        if provider_payment_id.startswith("pi_"):
            return self._call(self.client.v1.payment_intents.retrieve, provider_payment_id)
        session = self._session(provider_payment_id)
        if not session.get("payment_intent"):
            raise ProviderError(f"Checkout session {provider_payment_id} has not been paid.", definitive=True)
        intent = session["payment_intent"]
        if isinstance(intent, str):
            intent = self._call(self.client.v1.payment_intents.retrieve, intent)
        return intent

    # --- the interface ----------------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        units = to_minor_units(request.amount, request.currency)
        now = int(timezone.now().timestamp())
        expires = int(request.expires_at.timestamp())
        expires = min(max(expires, now + SESSION_WINDOW_MIN_SECONDS), now + SESSION_WINDOW_MAX_SECONDS)
        metadata = {"platform_reference": request.reference}
        session = self._call(
            self.client.v1.checkout.sessions.create,
            params={
                "mode": "payment",
                "payment_method_types": ["card"],
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": request.currency.lower(),
                            "unit_amount": units,
                            "product_data": {"name": (request.description or request.reference)[:250]},
                        },
                    }
                ],
                "payment_intent_data": {"capture_method": "manual", "metadata": metadata},
                "metadata": metadata,
                "client_reference_id": request.reference,
                "success_url": request.return_url,
                "cancel_url": request.return_url,
                "expires_at": expires,
            },
            options={"idempotency_key": request.idempotency_key},
        )
        if session.get("amount_total") != units or str(session.get("currency", "")).upper() != request.currency:
            raise ProviderError("The idempotency key was used for another amount.", definitive=True)
        return self._from_session(session)

    def fetch_payment(self, provider_payment_id) -> ProviderPayment:
        if provider_payment_id.startswith("pi_"):
            return self._from_intent(self._intent_of(provider_payment_id))
        return self._from_session(self._session(provider_payment_id))

    def capture(self, provider_payment_id, *, amount, idempotency_key) -> OperationResult:
        intent = self._intent_of(provider_payment_id)
        currency = intent["currency"]
        if intent["status"] == "succeeded":  # captured already (an earlier attempt's answer was lost)
            captured = from_minor_units(intent["amount_received"], currency)
            return OperationResult(provider_reference=intent["id"], amount=captured, raw=self._intent_data(intent))
        intent = self._call(
            self.client.v1.payment_intents.capture,
            intent["id"],
            params={"amount_to_capture": to_minor_units(amount, currency)},
            options={"idempotency_key": idempotency_key},
        )
        captured = from_minor_units(intent["amount_received"], currency)
        return OperationResult(provider_reference=intent["id"], amount=captured, raw=self._intent_data(intent))

    def refund(self, provider_payment_id, *, amount, idempotency_key) -> OperationResult:
        intent = self._intent_of(provider_payment_id)
        refund = self._call(
            self.client.v1.refunds.create,
            params={
                "payment_intent": intent["id"],
                "amount": to_minor_units(amount, intent["currency"]),
                "metadata": {
                    "platform_reference": intent.get("metadata", {}).get("platform_reference", ""),
                    "platform_idempotency_key": idempotency_key,
                },
            },
            options={"idempotency_key": idempotency_key},
        )
        if refund["status"] in ("failed", "canceled"):
            raise ProviderError(f"Stripe refund {refund['id']} is {refund['status']}.", definitive=True)
        return OperationResult(
            provider_reference=refund["id"],
            amount=from_minor_units(refund["amount"], refund["currency"]),
            raw={"refund": refund["id"], "status": refund["status"], "payment_intent": intent["id"]},
        )

    def cancel(self, provider_payment_id, *, idempotency_key) -> OperationResult:
        """Expire a session still open (the shopper can no longer pay), or cancel the authorised
        PaymentIntent (the hold is released). Something already void is left as it is."""
        if not provider_payment_id.startswith("pi_"):
            session = self._session(provider_payment_id)
            if session["status"] == "open":
                session = self._call(
                    self.client.v1.checkout.sessions.expire,
                    provider_payment_id,
                    options={"idempotency_key": idempotency_key},
                )
                return OperationResult(provider_reference=session["id"], raw=self._session_data(session))
            if session["status"] == "expired" or not session.get("payment_intent"):
                return OperationResult(provider_reference=session["id"], raw=self._session_data(session))
        intent = self._intent_of(provider_payment_id)
        if intent["status"] == "canceled":
            return OperationResult(provider_reference=intent["id"], raw=self._intent_data(intent))
        if intent["status"] == "succeeded":
            raise ProviderError(f"PaymentIntent {intent['id']} is captured; refund it instead.", definitive=True)
        intent = self._call(
            self.client.v1.payment_intents.cancel, intent["id"], options={"idempotency_key": idempotency_key}
        )
        return OperationResult(provider_reference=intent["id"], raw=self._intent_data(intent))

    def parse_webhook(self, headers, body, *, now=None) -> WebhookEvent:
        """Verified by the SDK, which compares the signature's time with the clock (not `now`)."""
        signature = _header(headers, "Stripe-Signature")
        if not signature:
            raise WebhookRejected(Code.SIGNATURE_MISSING, "The Stripe-Signature header is missing.", status=400)
        try:
            stripe.Webhook.construct_event(
                body, signature, self.secret, tolerance=settings.PAYMENT_OPTIONS["WEBHOOK_TOLERANCE_SECONDS"]
            )
        except stripe.SignatureVerificationError as exc:
            stale = "tolerance" in str(exc).lower()
            raise WebhookRejected(
                Code.SIGNATURE_STALE if stale else Code.SIGNATURE_INVALID,
                "The Stripe signature is outside the tolerance." if stale else "The Stripe signature does not match.",
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookRejected(Code.INVALID_PAYLOAD, f"The webhook body is not JSON: {exc}.", status=400)
        try:
            event = json.loads(body)
            return self._event(event)
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
            raise WebhookRejected(Code.INVALID_PAYLOAD, f"The webhook body is not a valid event: {exc}.", status=400)

    # --- reading Stripe's objects -----------------------------------------------------------------

    def _event(self, event) -> WebhookEvent:
        kind, obj, event_id = event["type"], event["data"]["object"], str(event["id"])
        if kind == "checkout.session.completed":
            return WebhookEvent(event_id, WebhookEventType.AUTHORISED, self._from_session(obj), raw=event)
        if kind == "checkout.session.expired":
            return WebhookEvent(event_id, WebhookEventType.EXPIRED, self._from_session(obj), raw=event)
        intent_events = {
            "payment_intent.amount_capturable_updated": WebhookEventType.AUTHORISED,
            "payment_intent.succeeded": WebhookEventType.CAPTURED,
            "payment_intent.payment_failed": WebhookEventType.DECLINED,
            "payment_intent.canceled": WebhookEventType.CANCELLED,
        }
        if kind in intent_events:
            return WebhookEvent(event_id, intent_events[kind], self._from_intent(obj), raw=event)
        if kind == "charge.refunded":
            return self._refund_event(event_id, obj, event)
        if kind in ("refund.created", "refund.updated"):
            return self._refund_object_event(event_id, obj, event)
        raise WebhookIgnored(event_id, f"Stripe event {kind} is not used.")

    def _refund_event(self, event_id, charge, event) -> WebhookEvent:
        """A refund: which one, when the charge carries its refunds (older API versions, or expanded);
        else only the charge's totals, and the refund is known from our own call's answer."""
        currency = charge["currency"]
        captured = from_minor_units(charge["amount_captured"], currency)
        payment = ProviderPayment(
            provider_payment_id=_id(charge.get("payment_intent")) or charge["id"],
            status=ProviderStatus.CAPTURED,
            authorised_amount=captured,
            captured_amount=captured,
            refunded_amount=from_minor_units(charge["amount_refunded"], currency),
            reference=(charge.get("metadata") or {}).get("platform_reference", ""),
            raw={"charge": charge["id"], "payment_intent": _id(charge.get("payment_intent"))},
        )
        refunds = [r for r in ((charge.get("refunds") or {}).get("data") or []) if r.get("status") == "succeeded"]
        if not refunds:
            return WebhookEvent(event_id, WebhookEventType.REFUNDED, payment, raw=event)
        refund = max(refunds, key=lambda r: (r.get("created") or 0, r["id"]))
        key = (refund.get("metadata") or {}).get("platform_idempotency_key") or f"{self.code}:{refund['id']}"
        return WebhookEvent(
            event_id,
            WebhookEventType.REFUNDED,
            payment,
            refund_reference=refund["id"],
            refund_amount=from_minor_units(refund["amount"], currency),
            refund_idempotency_key=key,
            raw=event,
        )

    def _refund_object_event(self, event_id, refund, event) -> WebhookEvent:
        """One refund, exactly (current API versions no longer list refunds on the charge), once it
        has succeeded: ours carry our key in their metadata; the payment is found, for ours and for
        one made in Stripe's dashboard alike, through its PaymentIntent, asked for here."""
        if refund.get("status") != "succeeded":
            raise WebhookIgnored(event_id, f"Stripe refund {refund['id']} is {refund.get('status')}.")
        intent_id = _id(refund.get("payment_intent"))
        if not intent_id:
            raise WebhookIgnored(event_id, f"Stripe refund {refund['id']} is not of a PaymentIntent.")
        try:  # the PaymentIntent says whose payment it is and what was captured
            intent = self._from_intent(self._call(self.client.v1.payment_intents.retrieve, intent_id))
        except ProviderError as error:
            raise WebhookRejected(
                Code.PROVIDER_UNAVAILABLE, f"Stripe could not be asked about {intent_id}: {error.detail}", status=503
            )
        metadata = refund.get("metadata") or {}
        payment = ProviderPayment(
            provider_payment_id=intent_id,
            status=ProviderStatus.CAPTURED,
            authorised_amount=intent.captured_amount,
            captured_amount=intent.captured_amount,
            reference=intent.reference,
            raw={"refund": refund["id"], "payment_intent": intent_id},
        )
        return WebhookEvent(
            event_id,
            WebhookEventType.REFUNDED,
            payment,
            refund_reference=refund["id"],
            refund_amount=from_minor_units(refund["amount"], refund["currency"]),
            refund_idempotency_key=metadata.get("platform_idempotency_key") or f"{self.code}:{refund['id']}",
            raw=event,
        )

    def _from_session(self, session) -> ProviderPayment:
        status = session["status"]
        raw = self._session_data(session)
        if status == "open":
            return ProviderPayment(
                provider_payment_id=session["id"],
                status=ProviderStatus.PENDING,
                next_action=NextAction(redirect_url=session["url"]),
                raw=raw,
            )
        if status == "expired":
            return ProviderPayment(provider_payment_id=session["id"], status=ProviderStatus.EXPIRED, raw=raw)
        intent = session.get("payment_intent")
        if isinstance(intent, dict):
            snapshot = self._from_intent(intent)
            return ProviderPayment(
                provider_payment_id=session["id"],
                status=snapshot.status,
                authorised_amount=snapshot.authorised_amount,
                captured_amount=snapshot.captured_amount,
                refunded_amount=snapshot.refunded_amount,
                raw={**raw, "payment_intent": snapshot.raw},
            )
        # A completed card session without its PaymentIntent at hand: the card was authorised.
        amount = from_minor_units(session["amount_total"], session["currency"])
        return ProviderPayment(
            provider_payment_id=session["id"], status=ProviderStatus.AUTHORISED, authorised_amount=amount, raw=raw
        )

    def _from_intent(self, intent) -> ProviderPayment:
        currency = intent["currency"]
        status = {
            "requires_capture": ProviderStatus.AUTHORISED,
            "succeeded": ProviderStatus.CAPTURED,
            "canceled": ProviderStatus.CANCELLED,
        }.get(intent["status"], ProviderStatus.PENDING)
        capturable = from_minor_units(intent.get("amount_capturable") or 0, currency)
        received = from_minor_units(intent.get("amount_received") or 0, currency)
        charge = intent.get("latest_charge")
        refunded = Decimal(0)
        if charge is not None and not isinstance(charge, str):
            refunded = from_minor_units(charge.get("amount_refunded") or 0, currency)
        return ProviderPayment(
            provider_payment_id=intent["id"],
            status=status,
            authorised_amount=received if status == ProviderStatus.CAPTURED else capturable,
            captured_amount=received,
            refunded_amount=refunded,
            reference=(intent.get("metadata") or {}).get("platform_reference", ""),
            raw=self._intent_data(intent),
        )

    @staticmethod
    def _session_data(session):
        return {
            "checkout_session": session["id"],
            "status": session["status"],
            "merchant_reference": session.get("client_reference_id") or "",
            "amount_total": session.get("amount_total"),
            "currency": session.get("currency"),
            "payment_intent": _id(session.get("payment_intent")),
        }

    @staticmethod
    def _intent_data(intent):
        error = intent.get("last_payment_error") or {}
        return {
            "payment_intent": intent["id"],
            "status": intent["status"],
            "amount": intent.get("amount"),
            "amount_capturable": intent.get("amount_capturable"),
            "amount_received": intent.get("amount_received"),
            "currency": intent.get("currency"),
            "last_payment_error": error.get("code") or error.get("message") or "",
        }
