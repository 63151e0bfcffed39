"""Send this platform's own figures to a partner (partner.metrics): computed from our records, or
the --figures ops give."""

import json

from django.core.management.base import BaseCommand, CommandError

from crossborder.errors import DomainError
from crossborder.management.options import partnerships_of
from partners.services import prospects


class Command(BaseCommand):
    help = (
        "Send our own figures to --partner CODE as a signed partner.metrics message: computed from our records "
        "(what is sent at linking and monthly), or --figures JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True)
        parser.add_argument("--figures", help='a JSON object, e.g. {"settlements": 12}; default: computed')

    def handle(self, *args, partner, figures, **options):
        partnership = partnerships_of(partner).get()
        try:
            if figures is None:
                message = prospects.send_own_metrics(partnership=partnership)
            else:
                try:
                    figures = json.loads(figures)
                except ValueError as exc:
                    raise CommandError(f"--figures is not JSON: {exc}") from exc
                message = prospects.send_metrics(partnership=partnership, figures=figures)
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.detail}") from exc
        self.stdout.write(f"queued partner.metrics seq {message.seq} for {partner}")
