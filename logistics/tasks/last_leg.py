"""Celery tasks of logistics: last leg (thin wrappers over services). Both are idempotent: a beat
that fires twice releases nothing twice and records no event twice."""

from celery import shared_task

from ..services import last_leg, stock

__all__ = ["expire_reservations", "poll_carriers"]


@shared_task(name="logistics.expire_reservations")
def expire_reservations():
    """Release checkout holds past their time."""
    return {"released": stock.expire_reservations()}


@shared_task(name="logistics.poll_carriers")
def poll_carriers():
    """Record new tracking events of our parcels on their way."""
    return last_leg.poll_carrier_events()
