"""Demo local service providers and goods needing installation. Safe to run again."""

from django.core.management.base import BaseCommand

from aftersales.service import demo


class Command(BaseCommand):
    help = (
        "Create the demo local service providers of this platform and flag the demo car seats as needing installation."
    )

    def handle(self, *args, **options):
        providers, products = demo.ensure_demo_providers()
        self.stdout.write(f"demo service: {providers} providers added, {products} products need installation")
