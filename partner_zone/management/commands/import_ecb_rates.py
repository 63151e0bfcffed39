"""Import the ECB's euro reference rates (eurofxref XML, daily or history) from a file or a URL,
e.g. https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml; listings priced in the
currencies it names are repriced."""

import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partner_zone.services import PartnerZoneError, pricing

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 30


class Command(BaseCommand):
    help = "Import the ECB euro reference rates (eurofxref XML) from FILE_OR_URL; cross rates go through EUR."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="FILE_OR_URL")

    def handle(self, *args, source, **options):
        if source.startswith(("http://", "https://")):
            try:
                with urllib.request.urlopen(source, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (http(s) only)
                    data = response.read(MAX_BYTES + 1)
            except OSError as exc:
                raise CommandError(f"could not fetch {source}: {exc}") from exc
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"no such file: {source}")
            data = path.read_bytes()[: MAX_BYTES + 1]
        if len(data) > MAX_BYTES:
            raise CommandError(f"{source} is larger than {MAX_BYTES} bytes")
        try:
            count = pricing.import_ecb_rates(data)
        except PartnerZoneError as error:
            raise CommandError(str(error.detail)) from error
        self.stdout.write(f"{count} ECB rates imported from {source}")
