"""Demo after-sales: a delivered order with a review, returns and a service ticket. Safe to run again."""

from django.core.management.base import BaseCommand

from aftersales import demo


class Command(BaseCommand):
    help = (
        "Create the demo service providers and one demo shopper's delivered order with a review, a graded "
        "return, a requested return and a repair ticket; print where to see them."
    )

    def handle(self, *args, **options):
        self.stdout.write(demo.fill_aftersales().summary())
