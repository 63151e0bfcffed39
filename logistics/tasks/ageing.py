"""Celery tasks of logistics: ageing (thin wrappers over services). Both are idempotent: a beat
that fires twice proposes and accrues once."""

import datetime as dt
import logging

from celery import shared_task

from crossborder.models import Partnership

from ..services import LogisticsError
from ..services import ageing as ageing_services

__all__ = ["accrue_storage_fees_task", "review_aged_stock_task"]

log = logging.getLogger(__name__)


@shared_task(name="logistics.review_aged_stock", acks_late=True)
def review_aged_stock_task():
    """Review the aged consignment stock of every live partnership; one partnership's refusal
    (e.g. a malformed threshold in its fee schedule) does not stop the others."""
    proposed = {}
    for partnership in Partnership.objects.filter(status__in=Partnership.LIVE_STATUSES).select_related("partner"):
        try:
            proposed[partnership.partner.code] = len(ageing_services.review_aged_stock(partnership=partnership))
        except LogisticsError as exc:
            log.error("aged stock review of %s refused: %s", partnership.partner.code, exc.detail)
    return proposed


@shared_task(name="logistics.accrue_storage_fees", acks_late=True)
def accrue_storage_fees_task(day=None):
    """Accrue yesterday's (or `day`, ISO date) warehouse storage fees."""
    accrued = ageing_services.accrue_storage_fees(day=dt.date.fromisoformat(day) if day else None)
    return {"accrued": len(accrued)}
