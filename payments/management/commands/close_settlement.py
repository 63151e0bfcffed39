"""Close the settlement period now, for one partner or every live partnership (what the beat does)."""

from django.core.management.base import BaseCommand, CommandError

from crossborder.errors import DomainError
from crossborder.management.options import moment, partnerships_of
from payments.ledger.services import settlement


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
        now = moment(now, "--now")
        period_end = moment(period_end, "--period-end")
        for partnership in partnerships_of(partner):
            try:
                batch = settlement.close_period(partnership=partnership, period_end=period_end, now=now)
            except DomainError as exc:
                raise CommandError(f"{partnership.partner.code}: {exc.detail}") from exc
            self.stdout.write(
                f"{batch.reference} {partnership.partner.code} {batch.period_end.isoformat()} "
                f"{batch.status} {batch.net_amount} {batch.currency} ({batch.posting_count} postings)"
            )
