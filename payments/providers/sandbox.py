"""Two sandbox payment providers that behave like real local methods, without a network:

- `SandboxWallet` (for `cn`): a QR-code wallet. Create answers with a QR payload; the shopper scans
  it and approves or declines in the (simulated) wallet app page, while the checkout page polls.
- `SandboxCard` (for `us`): a card with a 3-D Secure-style challenge. Create answers with a redirect
  to the challenge page; after approving or declining, the shopper is sent back to the return URL.

Each keeps its own side of the world in the Sandbox* tables (its charge ids and amounts) and, on
approval, decline, capture, refund and cancellation, sends a signed webhook to the platform's webhook
endpoint: a real HTTP POST to PLATFORM_BASE_URL by default, or whatever
PAYMENT_OPTIONS["SANDBOX_WEBHOOK_DELIVERY"] names (tests post through Django's test client).
Undelivered webhooks are resent by the `payments.retry_sandbox_webhooks` task."""

import datetime as dt
import json
import logging
import secrets
import time
from decimal import Decimal

import requests
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crossborder import strict_json

from ..errors import PaymentErrorCode as Code
from . import signing
from .base import (
    NextAction,
    OperationResult,
    PaymentRequest,
    ProviderError,
    ProviderPayment,
    ProviderStatus,
    WebhookEvent,
    WebhookEventType,
    WebhookRejected,
)
from .models import SandboxCharge, SandboxOperation, SandboxWebhook

logger = logging.getLogger(__name__)

MAX_DELIVERY_ATTEMPTS = 12


def _absolute(path):
    return settings.PLATFORM_BASE_URL + path


def _amount(value):
    return str(Decimal(value).normalize()) if value is not None else None


def _header(headers, name):
    if hasattr(headers, "get") and headers.get(name) is not None:
        return headers.get(name)
    lowered = name.lower()
    for key, value in dict(headers).items():
        if key.lower() == lowered:
            return value
    return None


def _event_amount(data, name, where="data"):
    """An amount of the event: a decimal string or an integer, finite and not negative; never a float
    (JSON floats lose cents, and Python reads NaN, Infinity and 1e400 as floats)."""
    value = data[name]
    amount = None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        try:
            amount = Decimal(value)
        except ArithmeticError:
            amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise WebhookRejected(
            Code.INVALID_PAYLOAD,
            f"{where}.{name} is {str(value)[:40]!r}, not an amount (a finite decimal, not negative).",
            status=400,
            field=f"{where}.{name}",
        )
    return amount


class SandboxProvider:
    """What both sandboxes share; the subclasses say how the shopper approves."""

    code = ""
    name = ""
    label = ""  # what the shopper chooses at checkout
    charge_prefix = "ch"
    page_url_name = ""

    def __init__(self, *, code=None, options=None):
        options = options or {}
        self.code = code or self.code
        self.secret = options.get("WEBHOOK_SECRET", "")

    # --- the provider's API, as the platform calls it --------------------------------------------

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        with transaction.atomic():
            charge, created = SandboxCharge.objects.get_or_create(
                provider=self.code,
                idempotency_key=request.idempotency_key,
                defaults={
                    "charge_id": f"{self.charge_prefix}_{secrets.token_urlsafe(16)}",
                    "merchant_reference": request.reference,
                    "description": request.description[:200],
                    "amount": request.amount,
                    "currency": request.currency,
                    "return_url": request.return_url,
                    "expires_at": request.expires_at,
                },
            )
        if not created and (charge.amount != request.amount or charge.currency != request.currency):
            raise ProviderError("The idempotency key was used for another amount.", definitive=True)
        return self.snapshot(charge)

    def fetch_payment(self, provider_payment_id) -> ProviderPayment:
        charge = self._charge(provider_payment_id)
        if charge.status == SandboxCharge.Status.PENDING and charge.expires_at <= timezone.now():
            charge = self._change(provider_payment_id, self._expire)
        return self.snapshot(charge)

    def capture(self, provider_payment_id, *, amount, idempotency_key) -> OperationResult:
        def capture(charge):
            if charge.status != SandboxCharge.Status.AUTHORISED:
                raise ProviderError(f"Charge {charge.charge_id} is {charge.status}, not authorised.", definitive=True)
            if amount > charge.authorised_amount:
                raise ProviderError("Capture exceeds the authorised amount.", definitive=True)
            charge.status = SandboxCharge.Status.CAPTURED
            charge.captured_amount = amount
            return WebhookEventType.CAPTURED, {}

        return self._operate(provider_payment_id, "capture", idempotency_key, amount, capture)

    def refund(self, provider_payment_id, *, amount, idempotency_key) -> OperationResult:
        def refund(charge):
            if charge.status != SandboxCharge.Status.CAPTURED:
                raise ProviderError(f"Charge {charge.charge_id} is {charge.status}, not captured.", definitive=True)
            if amount <= 0 or amount > charge.captured_amount - charge.refunded_amount:
                raise ProviderError("Refund exceeds what is left of the captured amount.", definitive=True)
            charge.refunded_amount += amount
            return WebhookEventType.REFUNDED, {"amount": amount, "idempotency_key": idempotency_key}

        return self._operate(provider_payment_id, "refund", idempotency_key, amount, refund)

    def cancel(self, provider_payment_id, *, idempotency_key) -> OperationResult:
        def cancel(charge):
            if charge.status in (SandboxCharge.Status.CANCELLED, SandboxCharge.Status.EXPIRED):
                return None, {}  # already void: nothing to do, nothing to tell
            if charge.status not in (SandboxCharge.Status.PENDING, SandboxCharge.Status.AUTHORISED):
                raise ProviderError(
                    f"Charge {charge.charge_id} is {charge.status}; refund it instead.", definitive=True
                )
            charge.status = SandboxCharge.Status.CANCELLED
            return WebhookEventType.CANCELLED, {}

        return self._operate(provider_payment_id, "cancel", idempotency_key, None, cancel)

    def parse_webhook(self, headers, body, *, now=None) -> WebhookEvent:
        signing.verify(
            self.secret,
            _header(headers, signing.SIGNATURE_HEADER),
            body,
            tolerance=settings.PAYMENT_OPTIONS["WEBHOOK_TOLERANCE_SECONDS"],
            now=now.timestamp() if now else None,
        )
        try:
            event = strict_json.loads(body)
            data = event["data"]
            refund = data.get("refund") or {}
            return WebhookEvent(
                event_id=str(event["id"]),
                event_type=WebhookEventType(event["type"]),
                payment=ProviderPayment(
                    provider_payment_id=str(data["charge_id"]),
                    status=ProviderStatus(data["status"]),
                    authorised_amount=_event_amount(data, "authorised_amount"),
                    captured_amount=_event_amount(data, "captured_amount"),
                    refunded_amount=_event_amount(data, "refunded_amount"),
                    raw=data,
                    amount=_event_amount(data, "amount") if data.get("amount") is not None else None,
                    currency=str(data.get("currency") or ""),
                ),
                refund_reference=str(refund.get("id", "")),
                refund_amount=_event_amount(refund, "amount", "data.refund")
                if refund.get("amount") is not None
                else None,
                refund_idempotency_key=str(refund.get("idempotency_key", "")),
                raw=event,
            )
        except WebhookRejected:
            raise
        except strict_json.JSONRefused as refused:
            raise WebhookRejected(
                Code.INVALID_PAYLOAD,
                f"The webhook body is not a valid event: {refused.detail}",
                status=400,
                field=refused.field or "body",
            )
        except RecursionError:
            raise WebhookRejected(Code.INVALID_PAYLOAD, "The webhook body is nested too deeply.", status=400)
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
            raise WebhookRejected(Code.INVALID_PAYLOAD, f"The webhook body is not a valid event: {exc}.", status=400)

    # --- the shopper's side: the sandbox's own pages call these -----------------------------------

    def approve(self, charge_id) -> SandboxCharge:
        def approve(charge):
            self._require_pending(charge)
            charge.status = SandboxCharge.Status.AUTHORISED
            charge.authorised_amount = charge.amount
            return WebhookEventType.AUTHORISED, {}

        return self._change(charge_id, approve)

    # What the sandbox's decline says, as a real provider would: the shopper refused the bank's
    # security check (card) or the payment in the wallet app.
    decline_code = "authentication_failed"

    def decline(self, charge_id, *, code=None) -> SandboxCharge:
        def decline(charge):
            self._require_pending(charge)
            charge.status = SandboxCharge.Status.DECLINED
            return WebhookEventType.DECLINED, {"decline_code": code or self.decline_code}

        return self._change(charge_id, decline)

    def approval_url(self, charge) -> str:
        return _absolute(reverse(self.page_url_name, kwargs={"charge_id": charge.charge_id}))

    def next_action(self, charge) -> NextAction:
        raise NotImplementedError

    def snapshot(self, charge) -> ProviderPayment:
        return ProviderPayment(
            provider_payment_id=charge.charge_id,
            status=ProviderStatus(charge.status),
            authorised_amount=charge.authorised_amount,
            captured_amount=charge.captured_amount,
            refunded_amount=charge.refunded_amount,
            next_action=self.next_action(charge) if charge.status == SandboxCharge.Status.PENDING else NextAction(),
            raw=self._charge_data(charge),
        )

    # --- inside the sandbox ----------------------------------------------------------------------

    def _charge(self, charge_id, *, lock=False):
        charges = SandboxCharge.objects.select_for_update() if lock else SandboxCharge.objects
        try:
            return charges.get(provider=self.code, charge_id=charge_id)
        except SandboxCharge.DoesNotExist:
            raise ProviderError(f"No charge {charge_id} at {self.code}.", definitive=True)

    def _require_pending(self, charge):
        if charge.status == SandboxCharge.Status.PENDING and charge.expires_at <= timezone.now():
            raise ProviderError(_("This payment request has expired."), definitive=True)
        if charge.status != SandboxCharge.Status.PENDING:
            raise ProviderError(
                _("This payment request is already %(status)s.") % {"status": charge.get_status_display()},
                definitive=True,
            )

    def _expire(self, charge):
        if charge.status != SandboxCharge.Status.PENDING:
            return None, {}
        charge.status = SandboxCharge.Status.EXPIRED
        return WebhookEventType.EXPIRED, {}

    def _change(self, charge_id, change):
        """Apply `change(charge)` under a lock and queue its webhook; send it once committed."""
        with transaction.atomic():
            charge = self._charge(charge_id, lock=True)
            event_type, extra = change(charge)
            if event_type is None:
                return charge
            charge.save()
            webhook = self._queue_webhook(charge, event_type, extra)
        send_webhook(webhook)
        return charge

    def _operate(self, charge_id, kind, idempotency_key, amount, change):
        """A capture, refund or cancel, done once per idempotency key."""
        webhook = None
        with transaction.atomic():
            charge = self._charge(charge_id, lock=True)
            done = SandboxOperation.objects.filter(provider=self.code, idempotency_key=idempotency_key).first()
            if done is None:
                event_type, extra = change(charge)
                done = SandboxOperation.objects.create(
                    provider=self.code,
                    idempotency_key=idempotency_key,
                    charge=charge,
                    kind=kind,
                    operation_id=f"{kind[:3]}_{secrets.token_urlsafe(12)}",
                    amount=amount,
                )
                if event_type is not None:
                    charge.save()
                    if kind == "refund":
                        extra = {**extra, "id": done.operation_id}
                    webhook = self._queue_webhook(charge, event_type, extra)
            elif done.kind != kind or done.charge_id != charge.pk or done.amount != amount:
                raise ProviderError("The idempotency key was used for another operation.", definitive=True)
        if webhook is not None:
            send_webhook(webhook)
        return OperationResult(
            provider_reference=done.operation_id,
            amount=done.amount,
            raw={"operation_id": done.operation_id, "kind": kind, "charge": self._charge_data(charge)},
        )

    def _charge_data(self, charge):
        return {
            "charge_id": charge.charge_id,
            "merchant_reference": charge.merchant_reference,
            "status": charge.status,
            "amount": _amount(charge.amount),
            "currency": charge.currency,
            "authorised_amount": _amount(charge.authorised_amount),
            "captured_amount": _amount(charge.captured_amount),
            "refunded_amount": _amount(charge.refunded_amount),
        }

    def _queue_webhook(self, charge, event_type, extra):
        data = self._charge_data(charge)
        if event_type == WebhookEventType.DECLINED:
            data["decline_code"] = extra.get("decline_code", self.decline_code)
        if event_type == WebhookEventType.REFUNDED:
            data["refund"] = {
                "id": extra["id"],
                "amount": _amount(extra["amount"]),
                "idempotency_key": extra["idempotency_key"],
            }
        event_id = f"evt_{secrets.token_urlsafe(16)}"
        body = json.dumps(
            {"id": event_id, "type": str(event_type), "created": int(time.time()), "data": data},
            separators=(",", ":"),
        )
        return SandboxWebhook.objects.create(provider=self.code, event_id=event_id, charge=charge, body=body)


class SandboxWallet(SandboxProvider):
    """A QR-code wallet: the shopper scans the code with the wallet app and approves there."""

    code = "sandbox_wallet"
    name = gettext_lazy("Sandbox Wallet")
    label = gettext_lazy("QR code wallet (scan with your phone)")
    charge_prefix = "wal"
    decline_code = "payer_declined"
    page_url_name = "payments:sandbox-wallet"

    def next_action(self, charge):
        url = self.approval_url(charge)
        return NextAction(qr_payload=url, app_url=url)


class SandboxCard(SandboxProvider):
    """A card payment with a 3-D Secure-style challenge page the shopper is redirected to."""

    code = "sandbox_card"
    name = gettext_lazy("Sandbox Card")
    label = gettext_lazy("Bank card (with 3-D Secure check)")
    charge_prefix = "card"
    page_url_name = "payments:sandbox-card"

    def next_action(self, charge):
        return NextAction(redirect_url=self.approval_url(charge))


# --- sending webhooks -----------------------------------------------------------------------------


def webhook_url(provider_code):
    return _absolute(reverse("payment_webhooks:receive", kwargs={"provider": provider_code}))


def deliver_over_http(url, body, headers):
    """POST the webhook to the platform like a provider would; the HTTP status code."""
    response = requests.post(
        url, data=body, headers=headers, timeout=settings.PAYMENT_OPTIONS["SANDBOX_WEBHOOK_TIMEOUT"]
    )
    return response.status_code


def send_webhook(webhook, *, now=None) -> bool:
    """One delivery attempt, signed afresh (a real provider signs each attempt); True when the
    platform accepted it. A failure is recorded with the time of the next attempt."""
    from .registry import get_provider

    now = now or timezone.now()
    provider = get_provider(webhook.provider)
    body = webhook.body.encode()
    headers = {
        "Content-Type": "application/json",
        signing.SIGNATURE_HEADER: signing.sign(provider.secret, body, timestamp=int(now.timestamp())),
    }
    deliver = import_string(settings.PAYMENT_OPTIONS["SANDBOX_WEBHOOK_DELIVERY"])
    error = ""
    try:
        status = deliver(webhook_url(webhook.provider), body, headers)
    except requests.RequestException as exc:
        status, error = None, f"{type(exc).__name__}: {exc}"
    attempts = webhook.attempts + 1
    if status is not None and 200 <= status < 300:
        SandboxWebhook.objects.filter(pk=webhook.pk).update(attempts=attempts, delivered_at=now, last_error="")
        return True
    error = error or f"HTTP {status}"
    logger.warning("sandbox webhook %s to %s failed: %s", webhook.event_id, webhook.provider, error)
    backoff = dt.timedelta(seconds=min(30 * 2**webhook.attempts, 6 * 3600))
    SandboxWebhook.objects.filter(pk=webhook.pk).update(
        attempts=attempts, next_attempt_at=now + backoff, last_error=error[:2000]
    )
    return False


def retry_due_webhooks(*, now=None, limit=100) -> dict:
    """Resend the sandbox webhooks that are due; a webhook is given up after MAX_DELIVERY_ATTEMPTS."""
    from .registry import sandbox_provider_codes

    now = now or timezone.now()
    due = SandboxWebhook.objects.filter(
        provider__in=sandbox_provider_codes(),  # a sandbox no longer configured sends nothing
        delivered_at__isnull=True,
        next_attempt_at__lte=now,
        attempts__lt=MAX_DELIVERY_ATTEMPTS,
    ).order_by("next_attempt_at", "id")[:limit]
    delivered = failed = 0
    for webhook in due:
        if send_webhook(webhook, now=now):
            delivered += 1
        else:
            failed += 1
    return {"delivered": delivered, "failed": failed}
