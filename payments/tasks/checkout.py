"""Shop tasks: thin wrappers over payments.shop.services.checkout."""

from celery import shared_task

from ..shop.services import checkout

__all__ = ["expire_checkouts"]


@shared_task(name="payments.expire_checkouts")
def expire_checkouts():
    """Idempotent: a quote or order already expired is left alone, one being expired by another
    run is skipped (its row is locked)."""
    quotes, orders = checkout.expire_checkouts()
    return {"quotes": quotes, "orders": orders}
