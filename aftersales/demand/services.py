"""Demand reports: each night, to every live partner, what our shoppers wanted of its goods
(message `demand.report`, through the outbox); and storing the report a partner sends us.

One report per partnership and day: the row of the day is written in the transaction that queues
the message, under a unique constraint, so a beat that fires twice (or a second worker) sends
nothing more. The figures and the minimum crowd are in `selectors` and settings.DEMAND_REPORTS."""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossborder.errors import DomainError
from crossborder.selectors import live_partnerships
from crossborder.services import send_to_partner

from ..errors import DemandErrorCode as Code
from . import selectors
from .models import DemandReport

log = logging.getLogger(__name__)

MESSAGE = "demand.report"


def options():
    return settings.DEMAND_REPORTS


def build_report(*, partnership, day):
    """The body of the report of `day` for `partnership` (a read; nothing written)."""
    conf = options()
    window = selectors.Window(day=day, days=conf["WINDOW_DAYS"])
    minimum = max(1, conf["MIN_SHOPPERS"])
    return {
        "day": day.isoformat(),
        "window_days": window.days,
        "min_shoppers": minimum,
        "few_results": conf["FEW_RESULTS"],
        "searches": selectors.unmet_searches(
            partnership, window, few_results=conf["FEW_RESULTS"], min_shoppers=minimum
        ),
        "products": selectors.product_demand(partnership, window, min_shoppers=minimum),
    }


def send_report(*, partnership, day):
    """Queue the report of `day` to the partner, once: returns the report, or None when it was
    sent already (by an earlier run or a concurrent one)."""
    if not partnership.is_live:
        raise DomainError(Code.NOT_LIVE, _("Demand reports go only to a live partnership."), field="partnership")
    if DemandReport.objects.filter(partnership=partnership, direction=DemandReport.Direction.SENT, day=day).exists():
        return None
    payload = build_report(partnership=partnership, day=day)
    try:
        with transaction.atomic():
            report = DemandReport.objects.create(
                partnership=partnership,
                direction=DemandReport.Direction.SENT,
                day=day,
                window_days=payload["window_days"],
                min_shoppers=payload["min_shoppers"],
                payload=payload,
            )
            send_to_partner(partnership, MESSAGE, payload)
    except IntegrityError:  # another run wrote the day's report first
        return None
    return report


def report_day(now=None):
    """The day a nightly run reports: the one that ended last (UTC)."""
    return ((now or timezone.now()).astimezone(dt.UTC) - dt.timedelta(days=1)).date()


def send_due_reports(*, now=None):
    """The nightly run: the report of the day that ended, to each live partnership that has not had
    it. One partner's failure is logged and does not stop the others. Returns how many were sent."""
    day = report_day(now)
    sent = 0
    for partnership in live_partnerships():
        try:
            sent += send_report(partnership=partnership, day=day) is not None
        except Exception:
            log.exception("demand report of %s for %s not sent", day, partnership)
    return sent


@transaction.atomic
def receive_report(*, partnership, payload):
    """Store the partner's report of a day (a later one for the same day replaces it: the partner
    corrected it). Our merchants read the newest."""
    report, _created = DemandReport.objects.update_or_create(
        partnership=partnership,
        direction=DemandReport.Direction.RECEIVED,
        day=payload["day"],
        defaults={
            "window_days": payload["window_days"],
            "min_shoppers": payload["min_shoppers"],
            "payload": {
                **payload,
                "day": payload["day"].isoformat(),
            },
        },
    )
    return report
