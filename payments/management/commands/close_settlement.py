"""Close the settlement period now, for one partner or every live partnership (what the beat does)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from crossborder.errors import DomainError
from crossborder.selectors import live_partnerships
from payments.ledger.services import settlement


def _moment(value, option):
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise CommandError(f"{option} {value!r} is not an ISO 8601 date and time.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.get_default_timezone())


class Command(BaseCommand):
    help = (
        "Close the latest passed settlement period of one partner (--partner CODE) or of every live "
        "partnership, send the statement, and print each batch: reference, status, net."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", help="the partner's code; default: every live partnership")
        parser.add_argument("--period-end", help="the cut-off to close (ISO 8601); default: the latest passed one")
        parser.add_argument("--now", help="the time to act at (ISO 8601; default: now)")

    def handle(self, *args, partner=None, period_end=None, now=None, **options):
        now = _moment(now, "--now")
        period_end = _moment(period_end, "--period-end")
        partnerships = live_partnerships()
        if partner:
            partnerships = partnerships.filter(partner__code=partner)
            if not partnerships.exists():
                raise CommandError(f"No live partnership with partner {partner!r}.")
        for partnership in partnerships:
            try:
                batch = settlement.close_period(partnership=partnership, period_end=period_end, now=now)
            except DomainError as exc:
                raise CommandError(f"{partnership.partner.code}: {exc.detail}") from exc
            self.stdout.write(
                f"{batch.reference} {partnership.partner.code} {batch.period_end.isoformat()} "
                f"{batch.status} {batch.net_amount} {batch.currency} ({batch.posting_count} postings)"
            )
