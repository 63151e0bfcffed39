"""Resume a suspended partner zone: an explicit decision, recorded with who and why."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from crossborder.errors import DomainError
from crossborder.management.options import moment
from partners import selectors
from partners.services import compliance


class Command(BaseCommand):
    help = "Resume the suspended partnership with --partner CODE, saying --reason and --by (a staff user name)."

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True)
        parser.add_argument("--reason", required=True)
        parser.add_argument("--by", required=True, help="the user name of who decides")
        parser.add_argument("--now", help="the moment breaches count from again (ISO 8601; default: now)")

    def handle(self, *args, partner, reason, by, now=None, **options):
        actor = get_user_model().objects.filter(username=by, is_staff=True).first()
        if actor is None:
            raise CommandError(f"No staff user {by!r}.")
        partnership = selectors.watched_partnership(partner)
        if partnership is None:
            raise CommandError(f"No active or suspended partnership with partner {partner!r}.")
        try:
            compliance.resume_partner(partnership=partnership, reason=reason, actor=actor, now=moment(now, "--now"))
        except DomainError as exc:
            raise CommandError(f"{partner}: {exc.detail}") from exc
        self.stdout.write(f"{partner} resumed by {by}")
