"""Ops' override: do not suspend a partner automatically until a moment, for a reason."""

from django.core.management.base import BaseCommand, CommandError

from crossborder.errors import DomainError
from crossborder.management.options import moment
from partners.management.decisions import staff_and_partnership
from partners.services import compliance


class Command(BaseCommand):
    help = "Hold automatic suspension of --partner CODE off --until ISO, saying --reason and --by (a staff user)."

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True)
        parser.add_argument("--until", required=True)
        parser.add_argument("--reason", required=True)
        parser.add_argument("--by", required=True)

    def handle(self, *args, partner, until, reason, by, **options):
        actor, partnership = staff_and_partnership(by=by, partner=partner)
        try:
            compliance.hold_off_auto_suspension(
                partnership=partnership, until=moment(until, "--until"), reason=reason, actor=actor
            )
        except DomainError as exc:
            raise CommandError(f"{partner}: {exc.detail}") from exc
        self.stdout.write(f"{partner}: no automatic suspension until {until}")
