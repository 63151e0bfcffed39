"""Charges between partners: the partner-API message, and the storage fees logistics accrues."""

from rest_framework import serializers

from crossborder import messages, money
from logistics import hooks as logistics_hooks

from ..ledger.services import charges


class ChargePayload(serializers.Serializer):
    reference = serializers.CharField(max_length=160)
    kind = serializers.ChoiceField(choices=charges.KINDS)
    amount = serializers.CharField(max_length=40)
    currency = serializers.RegexField(r"^[A-Z]{3}$", help_text="ISO 4217 code of a currency (not XXX, XTS or a metal)")

    def validate_currency(self, value):
        if not money.is_currency(value):
            raise serializers.ValidationError(f"{value} is not a currency a charge can be in.", code="unknown_currency")
        return value


@messages.register(
    charges.CHARGE,
    payload_serializer=ChargePayload,
    description="A charge the sender bills us outside an order's price (storage fee, campaign share): "
    "we post the mirror image under the same reference, so both settlement statements carry it.",
)
def receive_charge(*, partnership, payload, seq):
    posted = charges.receive_charge(partnership=partnership, payload=payload)
    return {"reference": posted.reference}


logistics_hooks.fee_accrued.subscribe(charges.book_storage_fee)
