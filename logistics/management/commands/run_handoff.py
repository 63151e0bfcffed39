"""Run the nightly inventory handoff now, for one partner or every live partnership."""

from django.core.management.base import BaseCommand, CommandError

from crossborder.errors import DomainError
from crossborder.management.options import moment, partnerships_of
from logistics.services import handoff


class Command(BaseCommand):
    help = "Send the consignment sales and stock reports to one partner (--partner CODE) or all live partners."

    def add_arguments(self, parser):
        parser.add_argument("--partner", help="the partner's code; default: every live partnership")
        parser.add_argument("--now", help="report up to this ISO 8601 time (default: now)")

    def handle(self, *args, partner=None, now=None, **options):
        at = moment(now, "--now")
        for partnership in partnerships_of(partner):
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
