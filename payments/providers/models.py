"""Payments at local payment providers: intents, state transitions, webhooks.

A `Payment` is one attempt to take a checkout's money through one provider. Its `state` moves only
along `Payment.ALLOWED` (payments.providers.services.payment.transition), each move recorded as a
`PaymentTransition`. Every state-changing call to a provider is first written as a `ProviderCall`
(committed before the call, with the idempotency key the provider receives), then completed with the
provider's answer. Webhooks are recorded once per (provider, event id) in `WebhookReceipt`.

The sandbox providers' own side of the world (what a real provider would hold in its systems) is in
the `Sandbox*` models at the end: they never read or write the platform's payment tables."""

import secrets

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossborder import money

__all__ = [
    "Payment",
    "PaymentState",
    "PaymentTransition",
    "ProviderCall",
    "WebhookReceipt",
    "SandboxCharge",
    "SandboxOperation",
    "SandboxWebhook",
]

PAYMENT_AMOUNT = money.AMOUNT_COLUMN  # the ledger's width: any currency's decimals, and one more


def new_payment_token():
    """An unguessable token for URLs shown to shoppers (about 144 bits)."""
    return secrets.token_urlsafe(18)


class PaymentState(models.TextChoices):
    """Where a payment stands; Payment.ALLOWED says which state may follow which."""

    CREATED = "created", _("created")  # intent recorded; the provider has not answered yet
    PENDING = "pending", _("waiting for the shopper")
    AUTHORISED = "authorised", _("authorised")
    CAPTURED = "captured", _("captured")
    PARTIALLY_REFUNDED = "partially_refunded", _("partially refunded")
    REFUNDED = "refunded", _("refunded")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")
    FAILED = "failed", _("failed")


class Payment(models.Model):
    """One attempt to pay a checkout at a provider. Amounts are in `currency`; `refunded_amount`
    never exceeds `captured_amount`, which never exceeds `authorised_amount`."""

    State = PaymentState

    # The state machine: from each state, the states it may move to. Terminal states have none.
    # created -> authorised covers a provider's webhook arriving before its answer to create.
    ALLOWED = {
        State.CREATED: {State.PENDING, State.AUTHORISED, State.DECLINED, State.CANCELLED, State.FAILED},
        State.PENDING: {State.AUTHORISED, State.DECLINED, State.CANCELLED},
        State.AUTHORISED: {State.CAPTURED, State.CANCELLED},
        State.CAPTURED: {State.PARTIALLY_REFUNDED, State.REFUNDED},
        State.PARTIALLY_REFUNDED: {State.PARTIALLY_REFUNDED, State.REFUNDED},
        State.REFUNDED: set(),
        State.DECLINED: set(),
        State.CANCELLED: set(),
        State.FAILED: set(),
    }
    OPEN_STATES = (State.CREATED, State.PENDING)
    HOLDS_MONEY = (State.AUTHORISED, State.CAPTURED, State.PARTIALLY_REFUNDED)

    token = models.CharField(max_length=43, unique=True, default=new_payment_token, editable=False)
    checkout_reference = models.CharField(
        _("checkout"), max_length=64, db_index=True, help_text=_("The checkout this payment pays for")
    )
    amount = models.DecimalField(_("amount"), **PAYMENT_AMOUNT)
    currency = models.CharField(_("currency"), max_length=3)
    provider = models.CharField(_("provider"), max_length=40)
    provider_payment_id = models.CharField(_("provider's payment id"), max_length=120, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.CREATED)
    authorised_amount = models.DecimalField(_("authorised"), **PAYMENT_AMOUNT, default=0)
    captured_amount = models.DecimalField(_("captured"), **PAYMENT_AMOUNT, default=0)
    refunded_amount = models.DecimalField(_("refunded"), **PAYMENT_AMOUNT, default=0)
    next_action = models.JSONField(
        default=dict, blank=True, help_text=_("What the shopper must do next: a redirect, or a QR code to scan")
    )
    return_url = models.CharField(max_length=500, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    order_placed_at = models.DateTimeField(
        _("order placed at"), null=True, blank=True, help_text=_("Set by the checkout when its order is placed")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(authorised_amount__gte=0, captured_amount__gte=0, refunded_amount__gte=0),
                name="payment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(authorised_amount__lte=F("amount")), name="payment_authorised_lte_amount"
            ),
            models.CheckConstraint(
                condition=Q(captured_amount__lte=F("authorised_amount")), name="payment_captured_lte_authorised"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("captured_amount")), name="payment_refunded_lte_captured"
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="payment_currency_iso"),
            models.CheckConstraint(condition=Q(state__in=PaymentState.values), name="payment_state_known"),
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"],
                condition=~Q(provider_payment_id=""),
                name="payment_provider_id_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="payment_abandoned_idx",
                condition=Q(order_placed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.token[:8]} {self.amount} {self.currency} {self.state}"

    @property
    def is_final(self):
        return not self.ALLOWED[self.State(self.state)]

    @property
    def refundable_amount(self):
        return self.captured_amount - self.refunded_amount


class PaymentTransition(models.Model):
    """One move of a payment's state: the audit trail, written with the change."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from state"), max_length=20, choices=Payment.State.choices)
    to_state = models.CharField(_("to state"), max_length=20, choices=Payment.State.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200)
    provider_data = models.JSONField(_("provider data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("payment transition")
        verbose_name_plural = _("payment transitions")
        ordering = ["payment_id", "at", "id"]

    def __str__(self):
        return f"{self.from_state} → {self.to_state}"


class ProviderCall(models.Model):
    """A state-changing request to a provider: written and committed before the call (`pending`),
    completed with the answer. A call left `pending` (the process died, or the network failed) is
    retried with the same idempotency key, so the provider does it at most once."""

    class Operation(models.TextChoices):
        CREATE = "create", _("create")
        CAPTURE = "capture", _("capture")
        REFUND = "refund", _("refund")
        CANCEL = "cancel", _("cancel")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="provider_calls")
    operation = models.CharField(_("operation"), max_length=10, choices=Operation.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    number = models.PositiveIntegerField(
        default=1, help_text=_("Refunds are numbered per payment, from 1"), verbose_name=_("number")
    )
    amount = models.DecimalField(_("amount"), **PAYMENT_AMOUNT, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=200, blank=True, help_text=_("Why it was asked for"))
    provider_reference = models.CharField(max_length=120, blank=True, verbose_name=_("provider reference"))
    response = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, verbose_name=_("error"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))

    class Meta:
        verbose_name = _("provider call")
        verbose_name_plural = _("provider calls")
        ordering = ["payment_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="provider_call_amount_gte_0"
            ),
            models.UniqueConstraint(fields=["payment", "operation", "number"], name="provider_call_once"),
        ]

    def __str__(self):
        return f"{self.operation} {self.idempotency_key} {self.status}"


class WebhookReceipt(models.Model):
    """A provider's webhook event accepted once; a repeat is answered with `result` and changes nothing."""

    provider = models.CharField(_("provider"), max_length=40)
    event_id = models.CharField(_("event id"), max_length=120)
    event_type = models.CharField(_("event type"), max_length=60, blank=True)
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_receipts",
        verbose_name=_("payment"),
    )
    raw_body = models.TextField(_("raw body"))
    result = models.JSONField(_("result"), default=dict)
    received_at = models.DateTimeField(_("webhook received at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook receipt")
        verbose_name_plural = _("webhook receipts")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_receipt_once")]

    def __str__(self):
        return f"{self.provider} {self.event_id}"


# --- the sandbox providers' own side ---------------------------------------------------------------


class SandboxCharge(models.Model):
    """What a sandbox provider knows about one charge (its own ids and amounts)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the shopper")
        AUTHORISED = "authorised", _("authorised")
        CAPTURED = "captured", _("captured")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")

    provider = models.CharField(max_length=40, verbose_name=_("provider"))
    charge_id = models.CharField(max_length=60, unique=True, verbose_name=_("charge ID"))
    idempotency_key = models.CharField(max_length=120)
    merchant_reference = models.CharField(max_length=120, verbose_name=_("merchant reference"))
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(**PAYMENT_AMOUNT, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    authorised_amount = models.DecimalField(**PAYMENT_AMOUNT, default=0)
    captured_amount = models.DecimalField(**PAYMENT_AMOUNT, default=0, verbose_name=_("captured amount"))
    refunded_amount = models.DecimalField(**PAYMENT_AMOUNT, default=0, verbose_name=_("refunded amount"))
    return_url = models.CharField(max_length=500, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sandbox charge")
        verbose_name_plural = _("sandbox charges")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "idempotency_key"], name="sandbox_charge_key_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sandbox_charge_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_amount__lte=F("authorised_amount"), refunded_amount__lte=F("captured_amount")),
                name="sandbox_charge_amounts_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.charge_id} {self.amount} {self.currency} {self.status}"


class SandboxOperation(models.Model):
    """A capture, refund or cancellation the sandbox did, kept by the caller's idempotency key: the
    same key again gets the same answer and does nothing twice."""

    provider = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=120)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.CASCADE, related_name="operations")
    kind = models.CharField(max_length=10)
    operation_id = models.CharField(max_length=60, unique=True)
    amount = models.DecimalField(**PAYMENT_AMOUNT, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sandbox operation")
        verbose_name_plural = _("sandbox operations")
        constraints = [
            models.UniqueConstraint(fields=["provider", "idempotency_key"], name="sandbox_operation_key_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.operation_id}"


class SandboxWebhook(models.Model):
    """A signed event the sandbox sends to the platform's webhook endpoint, kept until delivered."""

    provider = models.CharField(max_length=40)
    event_id = models.CharField(max_length=60, unique=True, verbose_name=_("event ID"))
    charge = models.ForeignKey(SandboxCharge, on_delete=models.CASCADE, related_name="webhooks")
    body = models.TextField()
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("sandbox webhook")
        verbose_name_plural = _("sandbox webhooks")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="sandbox_webhook_due_idx", condition=Q(delivered_at__isnull=True)
            )
        ]

    def __str__(self):
        return f"{self.event_id} ({'delivered' if self.delivered_at else 'waiting'})"
