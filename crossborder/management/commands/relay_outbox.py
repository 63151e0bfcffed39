"""Relay due outbox messages now (what the beat does every few seconds)."""

from django.core.management.base import BaseCommand

from crossborder import outbox


class Command(BaseCommand):
    help = "Deliver due partner messages once and print what happened."

    def handle(self, *args, **options):
        result = outbox.relay_all()
        self.stdout.write(f"delivered {result.delivered}, rejected {result.rejected}, waiting {result.failed}")
