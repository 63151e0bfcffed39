"""Celery tasks of logistics: handoff (thin wrappers over services). Each may run twice: the
nightly fan-out reports up to the scheduled handoff time, and a period is reported once."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from crossborder.models import Partnership
from crossborder.selectors import live_partnerships

from ..services import handoff, stock

__all__ = ["check_stock_counts", "handoff_partnership", "nightly_handoff"]


@shared_task(name="logistics.nightly_handoff")
def nightly_handoff():
    """One handoff task per live partnership, all up to the same scheduled time."""
    period_end = handoff.handoff_period_end().isoformat()
    ids = list(live_partnerships().values_list("pk", flat=True))
    for partnership_id in ids:
        handoff_partnership.delay(partnership_id, period_end)
    return {"partnerships": len(ids), "period_end": period_end}


@shared_task(name="logistics.handoff_partnership", acks_late=True)
def handoff_partnership(partnership_id, period_end=None):
    partnership = Partnership.objects.select_related("partner").get(pk=partnership_id)
    if not partnership.is_live:
        return {"skipped": "not live"}
    result = handoff.send_handoff(partnership=partnership, now=parse_datetime(period_end) if period_end else None)
    if result is None:
        return {"skipped": "no consignment stock"}
    return {"sales_lines": result.sales.line_count, "stock_lines": result.stock.line_count, "messages": result.messages}


@shared_task(name="logistics.check_stock_counts")
def check_stock_counts():
    return {"discrepancies": len(stock.check_counts())}
