"""Celery tasks of payments at providers (thin wrappers over services). All are idempotent: a beat
that fires twice voids nothing twice, places no order twice and delivers an event at most once more
(the platform answers a repeated event with its first result)."""

from celery import shared_task

from ..providers import sandbox
from ..providers.services import payment as payments
from ..shop.services import paying

__all__ = ["retry_sandbox_webhooks", "settle_secured_payments", "void_abandoned_payments"]


@shared_task(name="payments.void_abandoned_payments")
def void_abandoned_payments():
    """Void or refund payments whose checkout placed no order, so nobody is charged without one."""
    return payments.void_abandoned_payments()


@shared_task(name="payments.retry_sandbox_webhooks")
def retry_sandbox_webhooks():
    """Resend the sandbox providers' webhooks that did not get through."""
    return sandbox.retry_due_webhooks()


@shared_task(name="payments.settle_secured_payments")
def settle_secured_payments():
    """Place the orders of payments that secured their money, and capture those that placed one."""
    return paying.settle_secured_payments()
