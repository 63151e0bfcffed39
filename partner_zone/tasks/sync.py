"""Celery tasks of the partner zone: sync (thin wrappers over services).

`partner_zone.sync_all` (beat, every PARTNER_ZONE["SYNC_INTERVAL"] seconds) queues one
`partner_zone.sync_partnership` per ACTIVE partnership. Two syncs of one partnership never
overlap: sync_partnership claims the partnership in a short transaction holding its row (a
RUNNING run younger than the lease refuses a second one) and checks its claim on every page."""

import logging

from celery import shared_task

from crossborder.models import Partnership

from ..services import PartnerZoneError
from ..services import sync as sync_service
from ..services.sync import RUN_LEASE_SECONDS

__all__ = ["sync_all", "sync_partnership"]

logger = logging.getLogger(__name__)


@shared_task(name="partner_zone.sync_all")
def sync_all():
    ids = list(Partnership.objects.filter(status=Partnership.Status.ACTIVE).values_list("pk", flat=True))
    for partnership_id in ids:
        sync_partnership.delay(partnership_id)
    return len(ids)


@shared_task(name="partner_zone.sync_partnership", acks_late=True, time_limit=RUN_LEASE_SECONDS)
def sync_partnership(partnership_id, full=False):
    partnership = Partnership.objects.select_related("partner").filter(pk=partnership_id).first()
    if partnership is None:
        return None
    try:
        run = sync_service.sync_partnership(partnership, full=full)
    except PartnerZoneError as error:
        # Not active any more, or another run holds it: nothing to do this time.
        logger.info("catalog sync of partnership %s skipped: %s", partnership_id, error.detail)
        return None
    return {
        "run": run.pk,
        "status": run.status,
        "pages": run.pages,
        "changed": run.items_changed,
        "tombstones": run.tombstones,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
    }
