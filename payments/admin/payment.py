"""Payments admin: payments at providers with their state transitions and provider calls (read-only:
states change only through the services), webhook receipts, and actions that refund or cancel
through the same services the shop uses."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crossborder.admin_base import ReadOnlyAdmin, ReadOnlyInline, run_for_each

from ..models import Payment, PaymentTransition, ProviderCall, SandboxCharge, SandboxWebhook, WebhookReceipt
from ..providers.services import payment as payments


class PaymentTransitionInline(ReadOnlyInline):
    model = PaymentTransition
    fields = ["at", "from_state", "to_state", "reason", "provider_data"]
    readonly_fields = fields


class ProviderCallInline(ReadOnlyInline):
    model = ProviderCall
    fields = [
        "created_at",
        "operation",
        "number",
        "amount",
        "status",
        "idempotency_key",
        "provider_reference",
        "error",
        "completed_at",
    ]
    readonly_fields = fields


def _for_each(modeladmin, request, queryset, operation, done_message):
    """Call a service per payment; report how many went through and each refusal."""
    payments = queryset.order_by("pk")
    run_for_each(modeladmin, request, payments, operation, done_message, label=lambda payment: payment.token[:8])


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "short_token",
        "checkout_reference",
        "provider",
        "amount",
        "currency",
        "state",
        "captured_amount",
        "refunded_amount",
        "order_placed_at",
    ]
    list_filter = ["state", "provider", "currency"]
    search_fields = ["token", "checkout_reference", "provider_payment_id"]
    date_hierarchy = "created_at"
    fields = [
        "token",
        "checkout_reference",
        "provider",
        "provider_payment_id",
        "state",
        "amount",
        "currency",
        "authorised_amount",
        "captured_amount",
        "refunded_amount",
        "next_action",
        "return_url",
        "expires_at",
        "order_placed_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [PaymentTransitionInline, ProviderCallInline]
    actions = ["capture", "refund_in_full", "cancel"]

    @admin.display(description=_("token"), ordering="token")
    def short_token(self, payment):
        return payment.token[:8]

    @admin.action(description=_("Capture the selected authorised payments"))
    def capture(self, request, queryset):
        _for_each(
            self,
            request,
            queryset,
            lambda p: payments.capture_payment(payment=p),
            lambda n: ngettext("%(n)d payment captured.", "%(n)d payments captured.", n) % {"n": n},
        )

    @admin.action(description=_("Refund what is left of the selected payments"))
    def refund_in_full(self, request, queryset):
        _for_each(
            self,
            request,
            queryset,
            lambda p: payments.refund_payment(payment=p, reason=f"refunded by {request.user}"),
            lambda n: ngettext("%(n)d payment refunded.", "%(n)d payments refunded.", n) % {"n": n},
        )

    @admin.action(description=_("Cancel (void) the selected payments"))
    def cancel(self, request, queryset):
        _for_each(
            self,
            request,
            queryset,
            lambda p: payments.cancel_payment(payment=p, reason=f"cancelled by {request.user}"),
            lambda n: ngettext("%(n)d payment cancelled.", "%(n)d payments cancelled.", n) % {"n": n},
        )


@admin.register(WebhookReceipt)
class WebhookReceiptAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_id", "event_type", "payment", "result"]
    list_filter = ["provider", "event_type"]
    list_select_related = ["payment"]
    search_fields = ["event_id", "payment__token"]
    fields = ["provider", "event_id", "event_type", "payment", "received_at", "result", "raw_body"]
    readonly_fields = fields


# --- the sandbox providers' side, for demos and support ------------------------------------------


class SandboxWebhookInline(ReadOnlyInline):
    model = SandboxWebhook
    fields = ["created_at", "event_id", "attempts", "delivered_at", "next_attempt_at", "last_error"]
    readonly_fields = fields


@admin.register(SandboxCharge)
class SandboxChargeAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "provider",
        "charge_id",
        "merchant_reference",
        "amount",
        "currency",
        "status",
        "captured_amount",
        "refunded_amount",
    ]
    list_filter = ["provider", "status"]
    search_fields = ["charge_id", "merchant_reference"]
    inlines = [SandboxWebhookInline]
