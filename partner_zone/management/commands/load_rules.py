"""Load the shipped rule data (partner_zone/rules_data/) that the database lacks: duty and
rounding rules, festivals, and the festival dates of the years asked for. Ops' edits are kept."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from partner_zone import rules
from partner_zone.models import DutyRule, Festival, FestivalDate, RoundingRule

FIRST_YEAR, LAST_YEAR = 2000, 2099


class Command(BaseCommand):
    help = (
        "Create the shipped duty rules, rounding rules and festivals that are missing, and the festival "
        "dates of each --year (repeatable; default this year and the next three). Existing rows are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", dest="years", help="a year, e.g. 2031")

    def handle(self, *args, years=None, **options):
        this_year = timezone.localdate().year
        years = tuple(sorted(set(years or range(this_year, this_year + 4))))
        wrong = [year for year in years if not FIRST_YEAR <= year <= LAST_YEAR]
        if wrong:
            raise CommandError(f"--year must be {FIRST_YEAR} to {LAST_YEAR}, not {wrong[0]}")
        with transaction.atomic():
            created = rules.load(
                DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate, years=years
            )
        self.stdout.write(f"{created} rows created (festival dates for {', '.join(map(str, years))})")
