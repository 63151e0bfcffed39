"""Thin tasks of the service tickets domain."""

from celery import shared_task

from ..service.services import sla

__all__ = ["mark_service_breaches"]


@shared_task(name="aftersales.mark_service_breaches")
def mark_service_breaches():
    """Record the SLA breaches due now and tell ops (idempotent)."""
    return sla.mark_breaches()
