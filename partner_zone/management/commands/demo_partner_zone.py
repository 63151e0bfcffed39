"""Demo partner zone: rates; with --mirror, the partner's catalog; with --propose / --accept, a
festival campaign. Safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand

from partner_zone import demo


class Command(BaseCommand):
    help = (
        "Import the bundled exchange rates; --mirror CODE syncs and prices that partner's catalog; "
        "--propose CODE proposes this platform's festival campaign to that partner; --accept CODE accepts "
        "that partner's proposed campaigns."
    )

    def add_arguments(self, parser):
        parser.add_argument("--mirror", default=None, help="partner code whose catalog to mirror")
        parser.add_argument("--propose", default=None, help="partner code to propose our festival campaign to")
        parser.add_argument("--accept", default=None, help="partner code whose proposals our ops accept")

    def handle(self, *args, mirror=None, propose=None, accept=None, **options):
        rates = demo.ensure_rates()
        self.stdout.write(f"demo partner zone: {rates} exchange rates")
        if mirror:
            run = demo.mirror(mirror)
            self.stdout.write(
                f"mirrored {mirror}: {run.items_changed} listings changed, {run.rejected} rejected ({run.status})"
            )
        if propose:
            campaign = demo.propose_festival_campaign(propose, settings.PLATFORM_CODE)
            self.stdout.write(f"campaign to {propose}: {campaign.title if campaign else 'already proposed'}")
        if accept:
            self.stdout.write(f"campaigns from {accept} accepted: {demo.accept_proposals(accept)}")
