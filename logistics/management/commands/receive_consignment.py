"""Count an inbound consignment in (and complete its receipt) from the command line."""

from django.core.management.base import BaseCommand, CommandError

from logistics.models import Consignment
from logistics.services import LogisticsError, first_leg

from .plan_consignment import parse_pairs


class Command(BaseCommand):
    help = (
        "Set the counted (--count SKU:N) and damaged (--damaged SKU:N) units of lines of the inbound consignment "
        "--consignment; --complete puts the good units into stock and sends the receipt. Prints the lines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consignment", required=True, help="its reference (or the first 8 characters)")
        parser.add_argument("--count", action="append", default=[], help="SKU:N counted units, damaged included")
        parser.add_argument("--damaged", action="append", default=[], help="SKU:N damaged units")
        parser.add_argument("--complete", action="store_true")

    def handle(self, *args, **opts):
        consignment = self._find(opts["consignment"].strip())
        counts = dict(parse_pairs(opts["count"], "--count"))
        damaged = dict(parse_pairs(opts["damaged"], "--damaged"))
        for sku in damaged:
            if sku not in counts:
                line = consignment.lines.filter(sku=sku).first()
                counts[sku] = line.counted if line and line.counted is not None else 0
        try:
            for sku, counted in counts.items():
                first_leg.receive_line(
                    consignment=consignment, sku=sku, counted=counted, damaged=damaged.get(sku, 0), actor="cli"
                )
            if opts["complete"]:
                consignment = first_leg.complete_receipt(consignment=consignment, actor="cli")
        except LogisticsError as error:
            raise CommandError(str(error.detail)) from None
        consignment.refresh_from_db()
        self.stdout.write(f"{consignment.reference} {consignment.status}")
        self.stdout.write(
            f"{'SKU':<24} {'shipped':>8} {'counted':>8} {'damaged':>8} {'good':>6} {'short':>6} {'over':>6}"
        )
        for line in consignment.lines.order_by("id"):
            counted = "-" if line.counted is None else line.counted
            self.stdout.write(
                f"{line.sku:<24} {line.quantity:>8} {counted:>8} {line.damaged:>8} {line.good:>6} "
                f"{line.short:>6} {line.over:>6}"
            )

    def _find(self, reference):
        inbound = Consignment.objects.filter(direction=Consignment.Direction.INBOUND)
        found = list(inbound.filter(reference__startswith=reference)[:2]) if len(reference) < 36 else []
        if len(reference) >= 36:
            found = list(inbound.filter(reference=reference)[:2])
        if len(found) != 1:
            raise CommandError(
                f"no inbound consignment {reference!r}" if not found else f"{reference!r} names several consignments"
            )
        return found[0]
