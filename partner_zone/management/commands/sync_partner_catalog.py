"""Sync a partner's catalog feed into the partner zone now, and print the run's counts."""

from django.core.management.base import BaseCommand, CommandError

from crossborder.models import Partnership
from partner_zone.services import PartnerZoneError, sync


class Command(BaseCommand):
    help = (
        "Mirror the catalog feed of one partner (--partner CODE) into the partner zone: incremental from the last "
        "successful run, resuming an interrupted one, or the whole catalog with --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="the partner's code")
        parser.add_argument("--full", action="store_true", help="fetch the whole catalog, not only the changes")
        parser.add_argument("--limit", type=int, help="items per page (default: PARTNER_ZONE SYNC_PAGE_SIZE)")

    def handle(self, *args, partner, full=False, limit=None, **options):
        partnership = (
            Partnership.objects.select_related("partner")
            .filter(partner__code=partner, status__in=Partnership.LIVE_STATUSES)
            .first()
        )
        if partnership is None:
            raise CommandError(f"No live partnership with partner {partner!r}.")
        try:
            run = sync.sync_partnership(partnership, full=full, limit=limit)
        except PartnerZoneError as exc:
            raise CommandError(f"{partner}: {exc.detail}") from exc
        self.stdout.write(
            f"{partner}: run {run.pk} {run.status}: {run.pages} pages, {run.items_changed} changed, "
            f"{run.tombstones} withdrawn, {run.unchanged} unchanged, {run.rejected} rejected"
            + (f", from {run.updated_since}" if run.updated_since else ", full catalog")
        )
        for rejection in run.rejections:
            self.stdout.write(f"  rejected {rejection['id']}: {rejection['reason']}")
        if run.status != run.Status.SUCCEEDED:
            raise CommandError(f"{partner}: the sync {run.status}: {run.error}")
