"""Send the demand report of a day to each live partner now (the nightly beat does it by itself):
`manage.py send_demand_reports [--day YYYY-MM-DD]`. A day already reported is not sent again."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from crossborder.selectors import live_partnerships

from ...demand import services


class Command(BaseCommand):
    help = "Send each live partner the demand report of a day (default: the day that ended)."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="the last day the report covers, YYYY-MM-DD (UTC)")

    def handle(self, *args, day=None, **options):
        try:
            day = dt.date.fromisoformat(day) if day else services.report_day()
        except ValueError as error:
            raise CommandError(f"--day: {error}") from error
        for partnership in live_partnerships():
            report = services.send_report(partnership=partnership, day=day)
            state = "queued" if report else "already sent"
            self.stdout.write(f"{partnership.partner.code} {day}: {state}")
