"""Serve an order line from local stock, and with --ship pick, pack and ship it with a carrier: for
demos and end-to-end tests, until orders exist (a later issue calls the same services)."""

from django.core.management.base import BaseCommand, CommandError

from crossborder.models import Partner
from logistics.services import LogisticsError, last_leg


class Command(BaseCommand):
    help = "Allocate local stock to an order line (own stock first, then consignment); --ship also delivers it."

    def add_arguments(self, parser):
        parser.add_argument("--order-line", required=True, help="the order line's reference")
        parser.add_argument("--sku", required=True)
        parser.add_argument("--quantity", required=True)
        parser.add_argument("--name", required=True, help="recipient's name")
        parser.add_argument("--address", required=True, help="address lines, separated by '|'")
        parser.add_argument("--city", required=True)
        parser.add_argument("--country", required=True, help="ISO country code")
        parser.add_argument("--phone", default="")
        parser.add_argument("--postcode", default="")
        parser.add_argument("--warehouse", default=None, help="warehouse code (default: any active one)")
        parser.add_argument("--owner", default=None, help="only this partner's consignment stock (partner code)")
        parser.add_argument("--prefer", choices=["own", "consignment"], default="own")
        parser.add_argument("--ship", action="store_true", help="pick, pack and ship it too")
        parser.add_argument("--carrier", default="sandbox")

    def handle(self, *args, **opts):
        owner = last_leg.ANY_OWNER
        if opts["owner"]:
            owner = Partner.objects.filter(code=opts["owner"]).first()
            if owner is None:
                raise CommandError(f"no partner with the code {opts['owner']!r}")
        recipient = {
            "name": opts["name"],
            "address_lines": [line for line in opts["address"].split("|") if line.strip()],
            "city": opts["city"],
            "country": opts["country"],
            "phone": opts["phone"],
            "postcode": opts["postcode"],
        }
        try:
            shipment = last_leg.allocate_local(
                order_line=opts["order_line"],
                sku=opts["sku"],
                quantity=opts["quantity"],
                recipient=recipient,
                warehouse=opts["warehouse"],
                owner=owner,
                prefer=opts["prefer"],
                actor="ship_order_line",
            )
            if opts["ship"]:
                last_leg.pick_shipment(shipment, actor="ship_order_line")
                last_leg.pack_shipment(shipment, actor="ship_order_line")
                last_leg.ship_shipment(shipment, carrier=opts["carrier"], actor="ship_order_line")
        except LogisticsError as exc:
            field = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"{exc.code}{field}: {exc.detail}") from None
        self.stdout.write(
            f"shipment {shipment.reference} {shipment.status}: {shipment.quantity} x {shipment.sku} "
            f"from {shipment.stock.warehouse.code}"
            + (f", {shipment.carrier} {shipment.tracking_number}" if shipment.tracking_number else "")
        )
