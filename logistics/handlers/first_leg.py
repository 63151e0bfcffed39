"""Partner messages of logistics: first leg. The exporter's advance shipment notice
("shipment.notice") and the importer's receipt ("shipment.receipt"); each receiver calls one service.
Registered when the app is ready."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from crossborder import bounds, messages

from ..services import first_leg


def _line_errors(lines, line_serializer):
    """Validate each line; an error names the line ("lines[2].quantity: ...") so the sender knows
    which one to fix."""
    validated, errors = [], []
    for index, line in enumerate(lines):
        checked = line_serializer(data=line)
        if checked.is_valid():
            validated.append(checked.validated_data)
            continue
        for field, problems in checked.errors.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                errors.append(f"lines[{index}].{field}: {problem}")
    if errors:
        raise serializers.ValidationError(errors)
    return validated


class NoticeLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    product = serializers.UUIDField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    unit_weight_grams = serializers.IntegerField(
        **bounds.of_type("PositiveIntegerField", min_value=1), required=False, allow_null=True, default=None
    )
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)


class NoticePayload(serializers.Serializer):
    consignment = serializers.UUIDField()
    destination = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    carrier = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    tracking_number = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    cartons = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    gross_weight_grams = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False, default=0)
    eta = serializers.DateField(required=False, allow_null=True, default=None)
    lines = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=5000)

    def validate_lines(self, lines):
        validated = _line_errors(lines, NoticeLineSerializer)
        skus = [line["sku"] for line in validated]
        if len(set(skus)) != len(skus):
            raise serializers.ValidationError(_("Each SKU may appear on one line only."))
        return validated


class ReceiptLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    shipped = serializers.IntegerField(**bounds.of_type("PositiveIntegerField", min_value=0))
    counted = serializers.IntegerField(**bounds.of_type("PositiveIntegerField", min_value=0))
    damaged = serializers.IntegerField(required=False, default=0, **bounds.of_type("PositiveIntegerField", min_value=0))
    short = serializers.IntegerField(required=False, default=0, **bounds.of_type("PositiveIntegerField", min_value=0))
    over = serializers.IntegerField(required=False, default=0, **bounds.of_type("PositiveIntegerField", min_value=0))
    good = serializers.IntegerField(required=False, default=0, **bounds.of_type("PositiveIntegerField", min_value=0))


class UnlistedLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    counted = serializers.IntegerField(**bounds.of_type("PositiveIntegerField", min_value=0))


class ReceiptPayload(serializers.Serializer):
    consignment = serializers.UUIDField()
    received_at = serializers.DateTimeField()
    lines = serializers.ListField(child=serializers.DictField(), max_length=5000)
    unlisted = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=5000)

    def validate_lines(self, lines):
        return _line_errors(lines, ReceiptLineSerializer)

    def validate_unlisted(self, lines):
        return _line_errors(lines, UnlistedLineSerializer)


@messages.register(
    first_leg.ASN,
    payload_serializer=NoticePayload,
    description="Advance shipment notice: a first-leg consignment of the sender's goods on its way to our warehouse.",
)
def receive_shipment_notice(*, partnership, payload, seq):
    consignment = first_leg.record_notice(partnership=partnership, payload=payload)
    return {
        "consignment": str(consignment.reference),
        "status": consignment.status,
        "warehouse": consignment.warehouse.code if consignment.warehouse_id else "",
    }


@messages.register(
    first_leg.RECEIPT,
    payload_serializer=ReceiptPayload,
    description="Receipt of a first-leg consignment we sent: counted, damaged, short and over units per SKU.",
)
def receive_consignment_receipt(*, partnership, payload, seq):
    consignment = first_leg.record_receipt(partnership=partnership, payload=payload)
    return {"consignment": str(consignment.reference), "status": consignment.status}
