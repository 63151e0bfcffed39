"""Demo after-sales: a delivered order with a review, returns and a service ticket. Safe to run again."""

from django.core.management.base import BaseCommand

from aftersales import demo


class Command(BaseCommand):
    help = (
        "Create the demo service providers and one demo shopper's delivered order with a review, a graded "
        "return, a requested return and a repair ticket; print where to see them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--zone-orders",
            action="store_true",
            help="instead: a few paid orders of partners' goods in each zone (forwarded to the partners)",
        )

    def handle(self, *args, **options):
        if options["zone_orders"]:
            self.stdout.write(f"demo zone orders: {demo.buy_partner_goods()} placed")
            return
        self.stdout.write(demo.fill_aftersales().summary())
