"""The payment-provider interface: what every local payment method (a QR wallet, a card scheme with
3-D Secure, a bank redirect) gives the platform, as plain dataclasses in and out.

Providers are network services: payments.providers.services.payment calls them only outside database
transactions, and passes an idempotency key with every state-changing call, so a provider that
receives the same call twice does it once and answers the same."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable


class ProviderStatus(StrEnum):
    """A payment as the provider sees it."""

    PENDING = "pending"  # waiting for the shopper to approve (scan, 3-D Secure challenge)
    AUTHORISED = "authorised"
    CAPTURED = "captured"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class NextAction:
    """What the shopper must do to approve: follow `redirect_url`, or scan `qr_payload` with the
    wallet app (`app_url` opens the same approval page on the device at hand)."""

    redirect_url: str = ""
    qr_payload: str = ""
    app_url: str = ""

    @property
    def kind(self):
        return "qr" if self.qr_payload else "redirect" if self.redirect_url else "none"

    def as_dict(self):
        return {
            "kind": self.kind,
            "redirect_url": self.redirect_url,
            "qr_payload": self.qr_payload,
            "app_url": self.app_url,
        }


@dataclass(frozen=True)
class PaymentRequest:
    """Create a payment. `reference` is the platform's payment token (shown in the provider's
    records); `return_url` is where a redirect flow brings the shopper back."""

    reference: str
    amount: Decimal
    currency: str
    return_url: str
    idempotency_key: str
    expires_at: dt.datetime
    description: str = ""


@dataclass(frozen=True)
class ProviderPayment:
    """A provider's view of one payment, after create or on a status fetch. `amount` and
    `currency`, when the provider says them, are what the payment was created for: a webhook
    whose amount or currency is not our payment's is refused. `reference` is our payment token
    when the provider's object is not the one whose id we hold (a Stripe PaymentIntent behind a
    Checkout Session): the webhook's payment is then found by it."""

    provider_payment_id: str
    status: ProviderStatus
    authorised_amount: Decimal = Decimal(0)
    captured_amount: Decimal = Decimal(0)
    refunded_amount: Decimal = Decimal(0)
    next_action: NextAction = field(default_factory=NextAction)
    raw: dict = field(default_factory=dict)
    amount: Decimal | None = None
    currency: str = ""
    reference: str = ""


@dataclass(frozen=True)
class OperationResult:
    """The answer to a capture, refund or cancel the provider carried out."""

    provider_reference: str
    amount: Decimal | None = None
    raw: dict = field(default_factory=dict)


class WebhookEventType(StrEnum):
    AUTHORISED = "payment.authorised"
    DECLINED = "payment.declined"
    CAPTURED = "payment.captured"
    REFUNDED = "payment.refunded"
    CANCELLED = "payment.cancelled"
    EXPIRED = "payment.expired"


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook event. `payment` is the provider's snapshot of the payment after the
    event; for a refund, `refund_amount` and `refund_idempotency_key` (the key we sent, if we asked
    for the refund) say which refund it was."""

    event_id: str
    event_type: WebhookEventType
    payment: ProviderPayment
    refund_reference: str = ""
    refund_amount: Decimal | None = None
    refund_idempotency_key: str = ""
    raw: dict = field(default_factory=dict)


class ProviderError(Exception):
    """A provider call did not go through. `definitive`: the provider answered no (declined, wrong
    state), so the call is over; otherwise the outcome is unknown (timeout, 5xx) and the same call,
    with the same idempotency key, may be retried."""

    def __init__(self, detail, *, definitive, raw=None):
        super().__init__(detail)
        self.detail = detail
        self.definitive = definitive
        self.raw = raw or {}


class WebhookIgnored(Exception):
    """A genuine webhook (its signature checked) about something the platform does not follow: it is
    acknowledged, so the provider stops resending it, and changes nothing."""

    def __init__(self, event_id, detail):
        super().__init__(detail)
        self.event_id = str(event_id)
        self.detail = detail


class WebhookRejected(Exception):
    """A webhook that is not provably from the provider, or not readable: `code` is a
    payments.errors.PaymentErrorCode value, `status` the HTTP answer (400 or 401), `field` the
    part of the body that is wrong (else the signature or the body as a whole)."""

    def __init__(self, code, detail, *, status=401, field=None):
        super().__init__(detail)
        self.code = str(code)
        self.detail = detail
        self.status = status
        self.field = field


@runtime_checkable
class PaymentProvider(Protocol):
    """A local payment method. `code` is its key in settings.PAYMENT_PROVIDERS. An optional `label`
    names the method to shoppers choosing how to pay (else `name` does)."""

    code: str
    name: str
    # Optional: `webhook_acknowledgement`, the text body a provider expects in answer to a webhook it
    # delivered (Alipay: "success"); without it the answer is the JSON result.

    def create_payment(self, request: PaymentRequest) -> ProviderPayment: ...

    def fetch_payment(self, provider_payment_id: str) -> ProviderPayment: ...

    def capture(self, provider_payment_id: str, *, amount: Decimal, idempotency_key: str) -> OperationResult: ...

    def refund(self, provider_payment_id: str, *, amount: Decimal, idempotency_key: str) -> OperationResult: ...

    def cancel(self, provider_payment_id: str, *, idempotency_key: str) -> OperationResult: ...

    def parse_webhook(self, headers, body: bytes, *, now: dt.datetime | None = None) -> WebhookEvent:
        """Verify the webhook's signature (raising WebhookRejected) and read its event (raising
        WebhookIgnored for a genuine event the platform does not follow)."""
        ...
