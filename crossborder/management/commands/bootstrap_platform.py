"""Prepare this instance after migrate: identity row, signing key, and optionally a demo admin."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from crossborder import services


class Command(BaseCommand):
    help = "Sync this platform's identity from settings and make sure it has a signing key."

    def add_arguments(self, parser):
        parser.add_argument("--admin", metavar="USERNAME:PASSWORD", help="create or reset a staff superuser")

    def handle(self, *args, admin=None, **options):
        identity = services.sync_platform_identity()
        key = services.ensure_signing_key()
        self.stdout.write(f"platform {identity.code} ({identity.name}); signing key {key.key_id}")
        if admin:
            username, _, password = admin.partition(":")
            if not username or not password:
                self.stderr.write("--admin takes USERNAME:PASSWORD")
                raise SystemExit(2)
            user, _ = get_user_model().objects.get_or_create(username=username)
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            self.stdout.write(f"staff user {username} ready")
