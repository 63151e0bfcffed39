"""Payments at local payment providers. The providers sit behind one small interface (base.py),
chosen by code from settings.PAYMENT_PROVIDERS (registry.py): the two sandboxes in sandbox.py,
Stripe and Alipay in stripe_provider.py and alipay_provider.py. Around them: the payment models
(models.py), the payment service (services/payment.py), the shopper's payment pages and the
sandboxes' own pages (views.py, urls.py), the providers' webhooks (webhooks.py, webhook_urls.py)
and the production checks (checks.py)."""

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
