"""Resume a suspended partner zone: an explicit decision, recorded with who and why."""

from django.core.management.base import BaseCommand, CommandError

from crossborder.errors import DomainError
from crossborder.management.options import moment
from partners.management.decisions import staff_and_partnership
from partners.services import compliance


class Command(BaseCommand):
    help = "Resume the suspended partnership with --partner CODE, saying --reason and --by (a staff user name)."

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True)
        parser.add_argument("--reason", required=True)
        parser.add_argument("--by", required=True, help="the user name of who decides")
        parser.add_argument("--now", help="the moment breaches count from again (ISO 8601; default: now)")

    def handle(self, *args, partner, reason, by, now=None, **options):
        actor, partnership = staff_and_partnership(by=by, partner=partner)
        try:
            compliance.resume_partner(partnership=partnership, reason=reason, actor=actor, now=moment(now, "--now"))
        except DomainError as exc:
            raise CommandError(f"{partner}: {exc.detail}") from exc
        self.stdout.write(f"{partner} resumed by {by}")
