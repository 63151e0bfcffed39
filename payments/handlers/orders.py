"""Partner messages of the shop. Registered when the app is ready.

order.forwarded: the importer sold the exporter's goods; the exporter records the order and its
goods sold abroad. order.status: either side reports an order's progress (the importer: shipped,
delivered, cancelled; the exporter: accepted, shipped...)."""

from rest_framework import serializers

from crossborder import messages, money
from crossborder.grades import RESALE_GRADES
from logistics import hooks as logistics_hooks

from ..shop.services import forwarded, orders


class ExportAmountPayload(serializers.Serializer):
    amount = serializers.DecimalField(**money.MONEY_COLUMN, min_value=0)
    currency = serializers.RegexField(r"^[A-Z]{3}$")

    def validate(self, attrs):
        """In the currency's decimals (1200 JPY, 20.50 USD, 5.125 KWD), or refused by name."""
        try:
            attrs["amount"] = money.parse_amount(attrs["amount"], attrs["currency"], column=money.MONEY_COLUMN)
        except money.MoneyError as error:
            raise serializers.ValidationError({error.field: [str(error)]}) from None
        return attrs


class ForwardedLinePayload(serializers.Serializer):
    reference = serializers.CharField(max_length=120)
    product = serializers.UUIDField()
    sku = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=10000)
    fulfilment = serializers.ChoiceField(choices=["consignment", "direct"])
    export_amount = ExportAmountPayload()
    # A returned unit the importer resold at this grade: export_amount is then the resale proceeds
    # less the agreed resale fee, owed as they are (no commission on top).
    grade = serializers.ChoiceField(choices=[g.value for g in RESALE_GRADES], required=False)


class RecipientPayload(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address_lines = serializers.ListField(child=serializers.CharField(max_length=200), max_length=4, required=False)
    city = serializers.CharField(max_length=120, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)


class ForwardedOrderPayload(serializers.Serializer):
    order = serializers.UUIDField()
    number = serializers.CharField(max_length=40)
    placed_at = serializers.DateTimeField()
    lines = serializers.ListField(child=ForwardedLinePayload(), min_length=1, max_length=200)
    recipient = RecipientPayload(required=False, default=dict)


class OrderStatusPayload(serializers.Serializer):
    order = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["accepted", "paid", "shipped", "delivered", "cancelled"])
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")
    lines = serializers.ListField(child=serializers.CharField(max_length=120), max_length=200, required=False)


@messages.register(
    orders.FORWARDED_MESSAGE,
    payload_serializer=ForwardedOrderPayload,
    description="The importer forwards the paid lines of an order for the exporter's goods (the line references "
    "are the ledger events both statements carry); the recipient only for lines the exporter ships direct.",
)
def receive_forwarded_order(*, partnership, payload, seq):
    forwarded = orders.receive_forwarded_order(partnership=partnership, payload=payload)
    return {"order": str(forwarded.reference), "lines": len(forwarded.lines)}


@messages.register(
    orders.STATUS_MESSAGE,
    payload_serializer=OrderStatusPayload,
    description="An order's progress, either way: the importer's order status, or the exporter's for its lines.",
)
def receive_order_status(*, partnership, payload, seq):
    return orders.receive_order_status(partnership=partnership, payload=payload)


# Our parcels to partners' shoppers: their status goes back to the partner with the tracking.
logistics_hooks.partner_shipment_progressed.subscribe(forwarded.shipment_progressed)
