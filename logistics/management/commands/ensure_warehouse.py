"""Create a warehouse if it is not there yet (deployment scripts run this every time)."""

from django.core.management.base import BaseCommand, CommandError
from django_countries import countries

from logistics.models import Warehouse


class Command(BaseCommand):
    help = "Make sure the warehouse --code exists; creates it with the given details, leaves an existing one as it is."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="the code partners' notices name it by (a slug)")
        parser.add_argument("--name", required=True)
        parser.add_argument("--country", required=True, help="ISO country code, e.g. CN")
        parser.add_argument("--operator", required=True, help="who runs it (us or a 3PL)")
        parser.add_argument("--address", required=True)

    def handle(self, *args, **opts):
        country = opts["country"].strip().upper()
        if country not in dict(countries):
            raise CommandError(f"{opts['country']!r} is not an ISO country code")
        warehouse = Warehouse(
            code=opts["code"].strip(),
            name=opts["name"].strip(),
            operator=opts["operator"].strip(),
            address=opts["address"].strip(),
            country=country,
        )
        try:
            warehouse.full_clean(validate_unique=False)
        except Exception as error:  # ValidationError: say which field is wrong
            raise CommandError(str(error)) from None
        existing, created = Warehouse.objects.get_or_create(
            code=warehouse.code,
            defaults={
                "name": warehouse.name,
                "operator": warehouse.operator,
                "address": warehouse.address,
                "country": country,
            },
        )
        self.stdout.write(f"{'created' if created else 'exists'} {existing.code} {existing.name} ({existing.country})")
