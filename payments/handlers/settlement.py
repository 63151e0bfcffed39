"""Partner messages of settlement: the partner's statement of a closed period, in parts."""

from rest_framework import serializers

from crossborder import bounds, messages

from ..ledger.services import settlement


class StatementPayload(serializers.Serializer):
    batch_reference = serializers.UUIDField()
    period_start = serializers.DateTimeField(allow_null=True, required=False)
    period_end = serializers.DateTimeField()
    currency = serializers.RegexField(r"^[A-Z]{3}$")
    net_amount = serializers.CharField(max_length=40)
    currency_totals = serializers.DictField(required=False)
    part = serializers.IntegerField(**bounds.of_type("PositiveIntegerField", min_value=1))
    parts = serializers.IntegerField(**bounds.of_type("PositiveIntegerField", min_value=1))
    # Each line is checked by the service, which names the first bad line and field.
    lines = serializers.ListField(child=serializers.DictField(), allow_empty=True, max_length=settlement.LINES_PER_PART)

    def validate(self, attrs):
        if attrs["part"] > attrs["parts"]:
            raise serializers.ValidationError({"part": "part must not exceed parts"})
        return attrs


@messages.register(
    settlement.STATEMENT,
    payload_serializer=StatementPayload,
    description="Settlement statement of a closed period: lines per business event, amounts from the sender's side.",
)
def receive_statement(*, partnership, payload, seq):
    part, batch = settlement.receive_statement_part(partnership=partnership, payload=payload)
    return {
        "part": part.part,
        "parts": part.parts,
        "batch": str(batch.reference) if batch else None,
        "status": batch.status if batch else "waiting_for_our_batch",
    }
