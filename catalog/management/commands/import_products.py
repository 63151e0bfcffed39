"""Import a merchant's products from a CSV or XLSX file, all or nothing, as the merchant area does."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import imports
from catalog.models import Merchant
from catalog.services import CatalogError


class Command(BaseCommand):
    help = (
        "Import the products in FILE (CSV or XLSX, one row per SKU) for the merchant --merchant. "
        "Nothing is saved if any row has a problem: each is printed as 'row N, column: message' "
        "and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--merchant", required=True, help="the merchant's code (slug)")
        parser.add_argument("file", help="a .csv or .xlsx file whose header row names the columns")

    def handle(self, *args, **opts):
        merchant = Merchant.objects.filter(slug=opts["merchant"]).first()
        if merchant is None:
            raise CommandError(f"there is no merchant with the code {opts['merchant']!r}")
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            report = imports.import_products(merchant, data, filename=path.name)
        except CatalogError as error:
            raise CommandError(f"{path.name}: {error.detail}") from None
        if not report.ok:
            for problem in report.errors:
                where = f"row {problem.row}, {problem.field}" if problem.field else f"row {problem.row}"
                self.stdout.write(f"{where}: {problem.message}")
            raise CommandError(f"{len(report.errors)} problem(s) in {report.rows} row(s); nothing was imported")
        self.stdout.write(
            f"{report.products_created} product(s) created, {report.products_updated} updated from {report.rows} row(s)"
        )
