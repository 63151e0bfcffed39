"""Compute every partner's and prospect's scores now (what the nightly beat does)."""

from django.core.management.base import BaseCommand

from crossborder.management.options import moment
from partners.services import scores


class Command(BaseCommand):
    help = "Score every current partner (or --partner CODE) and every prospect; print each score and its missing parts."

    def add_arguments(self, parser):
        parser.add_argument("--partner", action="append", help="only this partner's code (repeatable)")
        parser.add_argument("--now", help="the time to score at (ISO 8601; default: now)")

    def handle(self, *args, partner=None, now=None, **options):
        for row in scores.score_partners(now=moment(now, "--now"), partners=partner):
            who = row.partner.code if row.partner_id else f"prospect:{row.prospect.code}"
            missing = [part["key"] for part in row.parts if part["missing"]]
            value = "-" if row.value is None else row.value
            self.stdout.write(f"{who} {row.kind} {value}" + (f" (missing: {', '.join(missing)})" if missing else ""))
