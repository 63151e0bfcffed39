"""Reprice the partner zone's active listings now (all, or one partner's)."""

from django.core.management.base import BaseCommand, CommandError

from crossborder.models import Partnership
from partner_zone.services import pricing


class Command(BaseCommand):
    help = "Recompute the landed price of the active partner listings (all, or --partner CODE's)."

    def add_arguments(self, parser):
        parser.add_argument("--partner", default=None, help="partner code (default: every partner)")

    def handle(self, *args, partner=None, **options):
        partnerships = [None]
        if partner:
            partnerships = list(Partnership.objects.filter(partner__code=partner.lower()))
            if not partnerships:
                raise CommandError(f"no partnership with partner {partner}")
        count = sum(pricing.reprice_all(partnership=partnership) for partnership in partnerships)
        problems = pricing.PartnerListing.objects.filter(is_active=True, price__isnull=True)
        if partner:
            problems = problems.filter(partnership__partner__code=partner.lower())
        self.stdout.write(f"{count} listings repriced, {problems.count()} without a price")
