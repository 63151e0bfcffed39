"""Send a notice to a partner's ops team through the outbox."""

from django.core.management.base import BaseCommand, CommandError

from crossborder import services
from crossborder.errors import DomainError
from crossborder.models import Partner


class Command(BaseCommand):
    help = "Queue a notice for the partner with code --partner."

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True)
        parser.add_argument("--subject", required=True)
        parser.add_argument("--body", default="")
        parser.add_argument(
            "--severity", choices=["warning", "critical"], help="send an alert (partner.alert, protocol 1.1)"
        )

    def handle(self, *args, partner, subject, body, severity=None, **options):
        found = Partner.objects.filter(code=partner).first()
        partnership = found.live_partnership() if found else None
        if partnership is None:
            raise CommandError(f"no live partnership with {partner!r}")
        try:
            notice = services.send_notice(partnership=partnership, subject=subject, body=body, severity=severity)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(f"queued notice #{notice.sent_seq}")
