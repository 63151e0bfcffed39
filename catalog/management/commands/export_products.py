"""Write a merchant's products (not archived) to a CSV or XLSX file that imports back unchanged."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import imports
from catalog.models import Merchant


class Command(BaseCommand):
    help = (
        "Export the products of the merchant --merchant, one row per SKU on sale, in the columns "
        "import_products reads, to -o FILE (by default a dated file in the current directory)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--merchant", required=True, help="the merchant's code (slug)")
        parser.add_argument("--format", choices=imports.FORMATS, default="csv", dest="fmt")
        parser.add_argument("-o", "--output", default=None, help="the file to write")

    def handle(self, *args, **opts):
        merchant = Merchant.objects.filter(slug=opts["merchant"]).first()
        if merchant is None:
            raise CommandError(f"there is no merchant with the code {opts['merchant']!r}")
        content, _content_type, filename = imports.export_products(merchant, opts["fmt"])
        path = Path(opts["output"] or filename)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        self.stdout.write(f"wrote {path} ({len(content)} bytes)")
