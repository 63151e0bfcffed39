"""Review aged consignment stock: print its age buckets per SKU and propose actions to the owners."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crossborder.models import Partner, Partnership
from logistics.models import AgedStockAction
from logistics.services import LogisticsError, ageing


def _parse_now(value):
    if not value:
        return timezone.now()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now must be an ISO 8601 date or time, not {value!r}") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Print the age buckets of partners' consignment stock per SKU and propose actions for units past "
        "the agreed thresholds (--list only prints). --now simulates the clock."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", help="only this partner's goods (its code)")
        parser.add_argument("--now", help="the moment to age at, ISO 8601 (default: now)")
        parser.add_argument(
            "--list", action="store_true", dest="list_only", help="print the ages only; propose nothing"
        )

    def handle(self, *args, partner=None, now=None, list_only=False, **options):
        moment = _parse_now(now)
        partnerships = Partnership.objects.filter(status__in=Partnership.LIVE_STATUSES).select_related("partner")
        if partner:
            if not Partner.objects.filter(code=partner).exists():
                raise CommandError(f"no partner {partner!r}")
            partnerships = partnerships.filter(partner__code=partner)
            if not partnerships.exists():
                raise CommandError(f"no live partnership with {partner!r}")
        for partnership in partnerships.order_by("partner__code"):
            self._review(partnership, moment, propose=not list_only)

    def _review(self, partnership, moment, *, propose):
        code = partnership.partner.code
        try:
            rows = ageing.aged_units(partnership=partnership, now=moment)
            thresholds = [days for days, _action in ageing.aged_tiers(partnership)]
        except LogisticsError as exc:
            raise CommandError(f"{code}: {exc.detail}") from exc
        self.stdout.write(f"{code}: {len(rows)} SKUs of consignment stock, aged at {moment.isoformat()}")
        header = ["sku", "warehouse", "units", "oldest"] + list(ageing.BUCKET_LABELS)
        header += [f">{days}d" for days in thresholds]
        self.stdout.write("  " + "\t".join(header))
        for row in rows:
            cells = [row["sku"], row["warehouse"], row["units"], row["oldest_age_days"]]
            cells += [row["buckets"][label] for label in ageing.BUCKET_LABELS]
            cells += [row["over_threshold"][days] for days in thresholds]
            aged = " AGED" if row["over_threshold"][thresholds[0]] else ""
            self.stdout.write("  " + "\t".join(str(cell) for cell in cells) + aged)
        if not propose:
            return
        try:
            proposed = ageing.review_aged_stock(partnership=partnership, now=moment)
        except LogisticsError as exc:
            raise CommandError(f"{code}: {exc.detail}") from exc
        self.stdout.write(f"{code}: {len(proposed)} new proposals")
        for action in proposed:
            percent = f" -{action.markdown_percent}%" if action.action == AgedStockAction.Action.MARKDOWN else ""
            self.stdout.write(
                f"  proposed {action.action}{percent} {action.sku} x{action.quantity} "
                f"(oldest {action.oldest_age_days} days, over {action.threshold_days}) {action.reference}"
            )
