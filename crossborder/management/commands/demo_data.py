"""Demo data of the platform core (later apps add theirs through their own commands, run by their
subscribers of crossborder.hooks.demo_data)."""

from django.core.management.base import BaseCommand

from crossborder import hooks


class Command(BaseCommand):
    help = "Fill this instance with demo data. Safe to run again."

    def handle(self, *args, **options):
        hooks.demo_data.fire()
        self.stdout.write("demo data ready")
