"""Pay every local provider what it is owed up to the end of a month (default: last month), once."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crossborder.errors import DomainError

from ...service import selectors
from ...service.services import payouts


class Command(BaseCommand):
    help = "Pay out providers' payables up to the end of a month (YYYY-MM; default: last month), once per month."

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="YYYY-MM")

    def handle(self, *args, month="", **options):
        if month:
            start = selectors.month_start(month)
            if start is None:
                raise CommandError("Give the month as YYYY-MM, e.g. 2026-11.")
        else:
            start = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        try:
            done = payouts.pay_all(month=start)
        except DomainError as error:
            raise CommandError(str(error.detail)) from error
        for name, made in done.items():
            for payout in made:
                self.stdout.write(f"{name}: {payout.amount} ({payout.ledger_reference})")
        self.stdout.write(f"{sum(len(made) for made in done.values())} payouts for {start:%Y-%m}.")
