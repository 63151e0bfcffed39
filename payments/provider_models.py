"""Kept for migration 0003, which names `payments.provider_models.new_payment_token` as a field
default; the payment models live in payments/providers/models.py."""

from .providers.models import new_payment_token  # noqa: F401
