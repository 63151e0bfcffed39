"""Plan a first-leg consignment of our goods to a partner's warehouse (and send its notice)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from djmoney.money import Money

from crossborder.models import Partner
from logistics.services import LogisticsError, first_leg


def parse_pairs(values, option):
    pairs = []
    for value in values or []:
        sku, sep, quantity = value.rpartition(":")
        if not sep or not sku.strip():
            raise CommandError(f"{option} {value!r}: expected SKU:QUANTITY")
        pairs.append((sku.strip(), quantity.strip()))
    return pairs


class Command(BaseCommand):
    help = "Plan an outbound consignment to the partner --partner from --line SKU:QTY options; --send sends the notice."

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="the partner's code")
        parser.add_argument("--line", action="append", required=True, help="SKU:QUANTITY (repeat for more lines)")
        parser.add_argument("--destination", default="", help="the partner's warehouse code, if known")
        parser.add_argument("--carrier", default="")
        parser.add_argument("--tracking", default="")
        parser.add_argument("--cartons", type=int, default=0)
        parser.add_argument("--weight-grams", type=int, default=0, help="gross weight")
        parser.add_argument("--eta", default=None, help="expected arrival, YYYY-MM-DD")
        parser.add_argument("--cost", default=None, help=f"first-leg cost in {settings.PLATFORM_CURRENCY}")
        parser.add_argument("--send", action="store_true", help="send the advance shipment notice now")

    def handle(self, *args, **opts):
        partner = Partner.objects.filter(code=opts["partner"]).first()
        partnership = partner.live_partnership() if partner else None
        if partnership is None:
            raise CommandError(f"no live partnership with a partner {opts['partner']!r}")
        try:
            eta = dt.date.fromisoformat(opts["eta"]) if opts["eta"] else None
        except ValueError:
            raise CommandError(f"--eta {opts['eta']!r}: expected YYYY-MM-DD") from None
        cost = None
        if opts["cost"] is not None:
            try:
                cost = Money(Decimal(opts["cost"]), settings.PLATFORM_CURRENCY)
            except InvalidOperation:
                raise CommandError(f"--cost {opts['cost']!r}: expected an amount like 1200.00") from None
        try:
            consignment = first_leg.plan_consignment(
                partnership=partnership,
                lines=parse_pairs(opts["line"], "--line"),
                carrier=opts["carrier"],
                tracking_number=opts["tracking"],
                cartons=opts["cartons"],
                gross_weight_grams=opts["weight_grams"],
                eta=eta,
                first_leg_cost=cost,
                destination=opts["destination"],
                actor="plan_consignment",
            )
            if opts["send"]:
                consignment = first_leg.send_notice(consignment, actor="plan_consignment")
        except LogisticsError as error:
            raise CommandError(str(error.detail)) from None
        self.stdout.write(f"{consignment.reference} {consignment.status}")
