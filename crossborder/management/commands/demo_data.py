"""Demo data of the platform core (later apps add theirs through their own commands)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fill this instance with demo data. Safe to run again."

    # Apps append the names of their own demo commands here as they gain demo data.
    APP_COMMANDS: list[str] = []

    def handle(self, *args, **options):
        for name in self.APP_COMMANDS:
            call_command(name)
        self.stdout.write("demo data ready")
