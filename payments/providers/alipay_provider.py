"""Alipay's QR wallet flow (face-to-face "precreate"), through python-alipay-sdk (module `alipay`).

- create: `alipay.trade.precreate` answers a `qr_code`, shown to the shopper to scan with the Alipay
  app (NextAction.qr_payload). Its key is our `out_trade_no`, made from the payment's reference:
  Alipay answers a repeated precreate of the same trade with the same code, which is the idempotency.
- fetch: `alipay.trade.query`. A precreated trade exists at Alipay only once the shopper has scanned
  it (before that the query answers ACQ.TRADE_NOT_EXIST): pending.
- No authorisation hold: a precreate trade is paid and settled at once (TRADE_SUCCESS), so the
  platform sees it as captured straight away; `capture` asks Alipay and, for a paid trade, only
  reports the captured amount (it moves no money). An unpaid trade cannot be captured.
- refund: `alipay.trade.refund` with `out_request_no` = the refund's idempotency key (a repeat with
  the same number refunds once). cancel: `alipay.trade.cancel` (closes an unpaid trade; Alipay
  refunds one paid in the meantime, and says so in `action`).
- Notifications (the webhook) are form-encoded and signed RSA2 with Alipay's key: verified by the
  SDK's `verify`, and answered with the text "success" (`webhook_acknowledgement`) so Alipay stops
  resending. Alipay's refund notice carries only the refunded total, so a refund is recorded from
  the answer to our refund call, and the notice only confirms the trade.
- Alipay's ids allow letters, digits and underscores: our references and keys are sent base32-encoded.

Options (settings.PAYMENT_PROVIDERS["alipay"]): APP_ID, APP_PRIVATE_KEY_FILE and
ALIPAY_PUBLIC_KEY_FILE (PEM files: public-key mode, not certificate mode), SANDBOX (Alipay's sandbox
gateway), GATEWAY (another gateway, such as a local stand-in), TIMEOUT (seconds, 15)."""

import base64
import binascii
import functools
from decimal import Decimal, InvalidOperation
from urllib.error import URLError
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
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

SUCCESS = "10000"
CHINA = ZoneInfo("Asia/Shanghai")
STATUS = {
    "WAIT_BUYER_PAY": ProviderStatus.PENDING,
    "TRADE_SUCCESS": ProviderStatus.CAPTURED,
    "TRADE_FINISHED": ProviderStatus.CAPTURED,
    "TRADE_CLOSED": ProviderStatus.CANCELLED,
}
# Business answers that mean "not now" rather than "no": the same call may be made again.
RETRYABLE = {"ACQ.SYSTEM_ERROR", "ACQ.REFUND_FEE_ERROR_RETRY", "aop.ACQ.SYSTEM_ERROR"}


def encode_id(text) -> str:
    """An Alipay-safe id (letters and digits) for one of our references or keys, reversible."""
    encoded = base64.b32encode(str(text).encode()).decode().rstrip("=")
    if len(encoded) > 64:
        raise ProviderError(f"{text!r} is too long for an Alipay id.", definitive=True)
    return encoded


def decode_id(encoded) -> str:
    padded = encoded + "=" * (-len(encoded) % 8)
    return base64.b32decode(padded.encode()).decode()


def _yuan(amount) -> str:
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    if not value.is_finite() or value <= 0 or not money.has_minor_units_only(value, "CNY"):
        raise ProviderError(f"{value} CNY is not an amount Alipay accepts (2 decimals).", definitive=True)
    return str(money.quantize(value, "CNY"))


def _amount(text) -> Decimal:
    value = Decimal(str(text or "0"))
    if not value.is_finite() or value < 0:
        raise ValueError(f"{text!r} is not an amount")
    return value


@functools.lru_cache(maxsize=8)
def _read(option, path):
    """A key file's PEM text, read once per process; a missing file stops the provider loudly."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise ImproperlyConfigured(f"PAYMENT_PROVIDERS['alipay'][{option!r}]: cannot read {path!r}: {exc}") from exc


class AlipayQR:
    """Alipay face-to-face payment: the shopper scans our QR code with the Alipay app."""

    code = "alipay"
    name = gettext_lazy("Alipay")
    label = gettext_lazy("Alipay (scan the QR code with the Alipay app)")
    webhook_acknowledgement = "success"

    def __init__(self, *, code=None, options=None):
        options = options or {}
        self.code = code or self.code
        self.app_id = str(options.get("APP_ID", ""))
        self.alipay = AliPay(
            appid=self.app_id,
            app_private_key_string=_read("APP_PRIVATE_KEY_FILE", options.get("APP_PRIVATE_KEY_FILE", "")),
            alipay_public_key_string=_read("ALIPAY_PUBLIC_KEY_FILE", options.get("ALIPAY_PUBLIC_KEY_FILE", "")),
            sign_type="RSA2",
            debug=bool(options.get("SANDBOX")),
            config=AliPayConfig(timeout=float(options.get("TIMEOUT", 15))),
        )
        if options.get("GATEWAY"):
            self.alipay._gateway = options["GATEWAY"]  # the SDK has no public setting for it

    # --- calls ------------------------------------------------------------------------------------

    def _call(self, call, **kwargs) -> dict:
        """One gateway call; a refusal raises a ProviderError, definitive unless Alipay says retry."""
        try:
            answer = call(**kwargs)
        except AliPayException as exc:  # an unsigned error answer (the gateway itself refused)
            raise ProviderError(f"Alipay refused the call: {exc}", definitive=False)
        except AliPayValidationError:
            raise ProviderError("Alipay's answer is not signed by Alipay.", definitive=False)
        except (URLError, TimeoutError, OSError) as exc:
            raise ProviderError(f"Alipay did not answer: {exc}", definitive=False)
        except ValueError as exc:
            raise ProviderError(f"Alipay's answer is not readable: {exc}", definitive=False)
        if answer.get("code") != SUCCESS:
            sub_code = answer.get("sub_code", "")
            detail = f"{answer.get('sub_msg') or answer.get('msg') or 'refused'} ({sub_code or answer.get('code')})"
            raise ProviderError(
                detail,
                definitive=sub_code not in RETRYABLE and answer.get("code") != "20000",
                raw=answer,
            )
        return answer

    def _query(self, provider_payment_id) -> ProviderPayment:
        try:
            answer = self._call(self.alipay.api_alipay_trade_query, out_trade_no=provider_payment_id)
        except ProviderError as error:
            if error.raw.get("sub_code") == "ACQ.TRADE_NOT_EXIST":  # not scanned yet
                return ProviderPayment(
                    provider_payment_id=provider_payment_id,
                    status=ProviderStatus.PENDING,
                    raw={"out_trade_no": provider_payment_id, "merchant_reference": decode_id(provider_payment_id)},
                )
            raise
        return self._snapshot(answer)

    # --- the interface ----------------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        if request.currency != "CNY":
            raise ProviderError(f"Alipay face-to-face payments are in CNY, not {request.currency}.", definitive=True)
        out_trade_no = encode_id(request.reference)
        expires = request.expires_at.astimezone(CHINA)
        answer = self._call(
            self.alipay.api_alipay_trade_precreate,
            subject=(request.description or request.reference)[:256],
            out_trade_no=out_trade_no,
            total_amount=_yuan(request.amount),
            notify_url=settings.PLATFORM_BASE_URL + reverse("payment_webhooks:receive", kwargs={"provider": self.code}),
            time_expire=expires.strftime("%Y-%m-%d %H:%M:%S"),
        )
        if answer.get("out_trade_no") != out_trade_no or not answer.get("qr_code"):
            raise ProviderError("Alipay's precreate answer names another trade or no QR code.", definitive=False)
        return ProviderPayment(
            provider_payment_id=out_trade_no,
            status=ProviderStatus.PENDING,
            next_action=NextAction(qr_payload=answer["qr_code"], app_url=answer["qr_code"]),
            raw={"out_trade_no": out_trade_no, "merchant_reference": request.reference, "qr_code": answer["qr_code"]},
        )

    def fetch_payment(self, provider_payment_id) -> ProviderPayment:
        return self._query(provider_payment_id)

    def capture(self, provider_payment_id, *, amount, idempotency_key) -> OperationResult:
        """Nothing to capture at Alipay: a paid trade is settled. Reports what was paid."""
        snapshot = self._query(provider_payment_id)
        if snapshot.status != ProviderStatus.CAPTURED:
            raise ProviderError(f"Alipay trade {provider_payment_id} is {snapshot.status}, not paid.", definitive=True)
        return OperationResult(
            provider_reference=snapshot.raw.get("trade_no", ""), amount=snapshot.captured_amount, raw=snapshot.raw
        )

    def refund(self, provider_payment_id, *, amount, idempotency_key) -> OperationResult:
        answer = self._call(
            self.alipay.api_alipay_trade_refund,
            refund_amount=_yuan(amount),
            out_trade_no=provider_payment_id,
            out_request_no=encode_id(idempotency_key),
        )
        return OperationResult(
            provider_reference=encode_id(idempotency_key),
            amount=amount,
            raw={
                "trade_no": answer.get("trade_no", ""),
                "out_request_no": encode_id(idempotency_key),
                "fund_change": answer.get("fund_change", ""),
                "refund_fee": answer.get("refund_fee", ""),
            },
        )

    def cancel(self, provider_payment_id, *, idempotency_key) -> OperationResult:
        answer = self._call(self.alipay.api_alipay_trade_cancel, out_trade_no=provider_payment_id)
        if answer.get("retry_flag") == "Y":
            raise ProviderError("Alipay asks for the cancel to be made again.", definitive=False, raw=answer)
        return OperationResult(
            provider_reference=provider_payment_id,
            raw={"out_trade_no": provider_payment_id, "action": answer.get("action", "")},
        )

    def parse_webhook(self, headers, body, *, now=None) -> WebhookEvent:
        """An asynchronous notification: form fields signed RSA2 by Alipay. Replays are harmless:
        each notify_id is applied once, and Alipay resends one for up to a day, so no time window."""
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError) as exc:
            raise WebhookRejected(Code.INVALID_PAYLOAD, f"The notification is not a form: {exc}.", status=400)
        params = dict(pairs)
        if len(params) != len(pairs):
            raise WebhookRejected(Code.INVALID_PAYLOAD, "The notification repeats a field.", status=400)
        signature = params.pop("sign", "")
        if not signature:
            raise WebhookRejected(Code.SIGNATURE_MISSING, "The notification has no sign field.", status=400)
        if params.get("sign_type", "RSA2") != "RSA2":
            raise WebhookRejected(Code.SIGNATURE_MALFORMED, "The notification must be signed RSA2.", status=400)
        try:
            genuine = self.alipay.verify(dict(params), signature)
        except (binascii.Error, ValueError, AliPayException):
            raise WebhookRejected(Code.SIGNATURE_MALFORMED, "The notification's sign is not base64.", status=400)
        if not genuine:
            raise WebhookRejected(Code.SIGNATURE_INVALID, "The notification's sign does not match.")
        if params.get("app_id") != self.app_id:
            raise WebhookRejected(Code.SIGNATURE_INVALID, "The notification is for another app_id.")
        try:
            return self._event(params)
        except (KeyError, ValueError, InvalidOperation, binascii.Error, UnicodeDecodeError) as exc:
            raise WebhookRejected(Code.INVALID_PAYLOAD, f"The notification is not a valid event: {exc}.", status=400)

    # --- reading Alipay's answers -----------------------------------------------------------------

    def _snapshot(self, fields) -> ProviderPayment:
        out_trade_no = fields["out_trade_no"]
        status = STATUS.get(fields.get("trade_status", ""), ProviderStatus.PENDING)
        total = _amount(fields.get("total_amount"))
        paid = status == ProviderStatus.CAPTURED or bool(fields.get("gmt_payment"))
        return ProviderPayment(
            provider_payment_id=out_trade_no,
            status=status,
            authorised_amount=total if paid else Decimal(0),
            captured_amount=total if paid else Decimal(0),
            refunded_amount=_amount(fields.get("refund_fee")),
            raw={
                "out_trade_no": out_trade_no,
                "merchant_reference": decode_id(out_trade_no),
                "trade_no": fields.get("trade_no", ""),
                "trade_status": fields.get("trade_status", ""),
                "total_amount": fields.get("total_amount", ""),
            },
        )

    def _event(self, params) -> WebhookEvent:
        event_id = params["notify_id"]
        if params.get("notify_type", "trade_status_sync") != "trade_status_sync":
            raise WebhookIgnored(event_id, f"Alipay notification {params['notify_type']} is not used.")
        snapshot = self._snapshot(params)
        if params.get("out_biz_no") and (params.get("refund_fee") or params.get("gmt_refund")):
            # A refund notice: the trade stays paid for the platform; the refund itself was
            # recorded from the answer to our refund call (the notice has only the total). A trade
            # that was refunded was paid in full, whether or not the notice repeats gmt_payment.
            total = _amount(params.get("total_amount"))
            paid = ProviderPayment(
                provider_payment_id=snapshot.provider_payment_id,
                status=ProviderStatus.CAPTURED,
                authorised_amount=total,
                captured_amount=total,
                refunded_amount=snapshot.refunded_amount,
                raw=snapshot.raw,
            )
            return WebhookEvent(
                event_id,
                WebhookEventType.REFUNDED,
                paid,
                refund_reference=params["out_biz_no"],
                refund_idempotency_key=decode_id(params["out_biz_no"]),
                raw=params,
            )
        if snapshot.status == ProviderStatus.PENDING:
            raise WebhookIgnored(event_id, "Alipay says the shopper has not paid yet.")
        paid = snapshot.status == ProviderStatus.CAPTURED
        event_type = WebhookEventType.CAPTURED if paid else WebhookEventType.CANCELLED
        return WebhookEvent(event_id, event_type, snapshot, raw=params)
