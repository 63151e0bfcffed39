"""Run the nightly inventory handoff now, for one partner or every live partnership."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from crossborder.errors import DomainError
from crossborder.selectors import live_partnerships
from logistics.services import handoff


class Command(BaseCommand):
    help = "Send the consignment sales and stock reports to one partner (--partner CODE) or all live partners."

    def add_arguments(self, parser):
        parser.add_argument("--partner", help="the partner's code; default: every live partnership")
        parser.add_argument("--now", help="report up to this ISO 8601 time (default: now)")

    def handle(self, *args, partner=None, now=None, **options):
        at = None
        if now:
            at = parse_datetime(now)
            if at is None:
                raise CommandError(f"--now {now!r} is not an ISO 8601 date and time.")
        partnerships = live_partnerships()
        if partner:
            partnerships = partnerships.filter(partner__code=partner)
            if not partnerships.exists():
                raise CommandError(f"No live partnership with partner {partner!r}.")
        for partnership in partnerships:
            code = partnership.partner.code
            try:
                result = handoff.send_handoff(partnership=partnership, now=at)
            except DomainError as exc:
                raise CommandError(f"{code}: {exc.detail}") from exc
            if result is None:
                self.stdout.write(f"{code}: no consignment stock of this partner; nothing sent")
            elif result.already_sent:
                self.stdout.write(f"{code}: reports up to {result.sales.period_end.isoformat()} were already sent")
            else:
                self.stdout.write(
                    f"{code}: sales report {result.sales.line_count} lines, stock report {result.stock.line_count}"
                    f" lines, up to {result.sales.period_end.isoformat()} ({result.messages} messages queued)"
                )
