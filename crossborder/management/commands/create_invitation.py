"""Create a partnership invitation and print its token (give it to the partner out of band)."""

from django.core.management.base import BaseCommand, CommandError

from crossborder import services
from crossborder.errors import DomainError


class Command(BaseCommand):
    help = "Create an invitation a partner platform quotes when proposing a partnership."

    def add_arguments(self, parser):
        parser.add_argument("--label", default="")
        parser.add_argument("--token", help="use this token instead of a random one (16+ characters)")
        parser.add_argument("--auto-accept", action="store_true", help="accept the proposal on arrival")
        parser.add_argument("--valid-days", type=int, default=7)

    def handle(self, *args, label, token, auto_accept, valid_days, **options):
        try:
            _, token = services.create_invitation(
                label=label, auto_accept=auto_accept, token=token, valid_days=valid_days
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(token)
