"""Partner message `return.disposition`: the importer decided what becomes of a returned unit of
our goods (restock, resell as a graded item, send back, repair, dispose), or a step since (a
repair, the reverse consignment it left in); we record it. Also: the units held to send back left
in a reverse consignment (logistics' hook), which the partner is told."""

from rest_framework import serializers

from crossborder import messages
from logistics import hooks as logistics_hooks

from ..choices import Disposition, Grade
from ..returns.services import disposition


class DispositionPayload(serializers.Serializer):
    unit = serializers.CharField(max_length=120)
    order_line = serializers.CharField(max_length=120)
    product = serializers.UUIDField(allow_null=True, required=False)
    sku = serializers.CharField(max_length=64)
    grade = serializers.ChoiceField(choices=Grade.values)
    disposition = serializers.ChoiceField(choices=Disposition.values)
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False)
    by_rule = serializers.BooleanField()
    decided_at = serializers.DateTimeField()
    resale_discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, allow_null=True, required=False
    )
    resale_fee_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=0, max_value=1, allow_null=True, required=False
    )
    # Steps after the decision (a repair, a reverse consignment); absent from older senders.
    step = serializers.CharField(max_length=20, allow_blank=True, required=False)
    step_at = serializers.DateTimeField(required=False)
    repair_ticket = serializers.CharField(max_length=40, allow_null=True, allow_blank=True, required=False)
    repair_payer = serializers.CharField(max_length=10, allow_null=True, allow_blank=True, required=False)
    consignment = serializers.UUIDField(allow_null=True, required=False)


@messages.register(
    disposition.MESSAGE,
    payload_serializer=DispositionPayload,
    description="The importer's decision on a returned unit of the exporter's goods, and its resale terms.",
)
def receive_disposition(*, partnership, payload, seq):
    row = disposition.record_partner_disposition(partnership=partnership, payload=payload)
    return {"unit": row.unit, "disposition": row.disposition, "recorded": True}


logistics_hooks.reverse_consignment_sent.subscribe(disposition.tell_sent_back)
