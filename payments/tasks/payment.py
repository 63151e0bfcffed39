"""Celery tasks of payments at providers (thin wrappers over services). Both are idempotent: a beat
that fires twice voids nothing twice and delivers an event at most once more (the platform answers a
repeated event with its first result)."""

from celery import shared_task

from ..providers import sandbox
from ..services import payment as payments

__all__ = ["retry_sandbox_webhooks", "void_abandoned_payments"]


@shared_task(name="payments.void_abandoned_payments")
def void_abandoned_payments():
    """Void or refund payments whose checkout placed no order, so nobody is charged without one."""
    return payments.void_abandoned_payments()


@shared_task(name="payments.retry_sandbox_webhooks")
def retry_sandbox_webhooks():
    """Resend the sandbox providers' webhooks that did not get through."""
    return sandbox.retry_due_webhooks()
