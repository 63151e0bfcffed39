"""Send this platform's own figures to a partner it links with (partner.metrics)."""

import json

from django.core.management.base import BaseCommand, CommandError

from crossborder.errors import DomainError
from crossborder.management.options import partnerships_of
from partners.services import prospects


class Command(BaseCommand):
    help = "Send --figures JSON (the scoring figures) to --partner CODE as a signed partner.metrics message."

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True)
        parser.add_argument("--figures", required=True, help='a JSON object, e.g. {"settlements": 12}')

    def handle(self, *args, partner, figures, **options):
        try:
            figures = json.loads(figures)
        except ValueError as exc:
            raise CommandError(f"--figures is not JSON: {exc}") from exc
        try:
            message = prospects.send_metrics(partnership=partnerships_of(partner).get(), figures=figures)
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.detail}") from exc
        self.stdout.write(f"queued partner.metrics seq {message.seq} for {partner}")
