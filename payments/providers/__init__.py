"""Local payment providers behind one small interface (base.py), chosen by code from
settings.PAYMENT_PROVIDERS (registry.py); the two sandbox providers live in sandbox.py, Stripe and Alipay in stripe_provider.py and
alipay_provider.py."""

from .base import (
    NextAction,
    OperationResult,
    PaymentProvider,
    PaymentRequest,
    ProviderError,
    ProviderPayment,
    ProviderStatus,
    WebhookEvent,
    WebhookEventType,
    WebhookIgnored,
    WebhookRejected,
)
from .registry import default_provider_code, get_provider, provider_codes

__all__ = [
    "NextAction",
    "OperationResult",
    "PaymentProvider",
    "PaymentRequest",
    "ProviderError",
    "ProviderPayment",
    "ProviderStatus",
    "WebhookEvent",
    "WebhookEventType",
    "WebhookIgnored",
    "WebhookRejected",
    "default_provider_code",
    "get_provider",
    "provider_codes",
]
