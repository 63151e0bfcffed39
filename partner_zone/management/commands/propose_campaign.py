"""The partner side of festival campaigns: propose a campaign on our goods in a partner's zone."""

from django.core.management.base import BaseCommand, CommandError

from crossborder.errors import DomainError
from crossborder.models import Partnership
from partner_zone.services import campaigns as service


class Command(BaseCommand):
    help = (
        "Propose a festival campaign on our products (--product REF, repeatable) to a partner: dates, "
        "suggested discount % and our share % of the discount. The partner's ops accept or decline it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="partner code")
        parser.add_argument("--festival", default=None, help="festival key (e.g. black-friday), or none")
        parser.add_argument("--title", required=True)
        parser.add_argument("--starts", required=True, help="YYYY-MM-DD")
        parser.add_argument("--ends", required=True, help="YYYY-MM-DD")
        parser.add_argument("--discount", required=True, help="suggested discount %%")
        parser.add_argument("--share", required=True, help="our share of the discount %%")
        parser.add_argument("--product", action="append", default=[], help="our product reference (repeatable)")

    def handle(self, *args, **options):
        partnership = (
            Partnership.objects.filter(partner__code=options["partner"].lower(), status__in=Partnership.LIVE_STATUSES)
            .select_related("partner")
            .first()
        )
        if partnership is None:
            raise CommandError(f"no live partnership with partner {options['partner']}")
        try:
            campaign = service.propose_campaign(
                partnership=partnership,
                festival=options["festival"],
                title=options["title"],
                starts_on=options["starts"],
                ends_on=options["ends"],
                discount_percent=options["discount"],
                share_percent=options["share"],
                products=options["product"],
            )
        except DomainError as error:  # PartnerZoneError, or the platform core's refusal to send
            field = f" ({error.field})" if error.field else ""
            raise CommandError(f"{error.detail}{field}") from error
        self.stdout.write(
            f"campaign {campaign.reference} proposed to {partnership.partner.code}: "
            f"{campaign.title}, {campaign.starts_on} to {campaign.ends_on}, {campaign.suggested_discount_percent}% off"
        )
