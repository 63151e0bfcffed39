"""The partner message of returns: `return.notice`, one step of a shopper's return of the
receiver's goods at the sender's (the importer's) platform."""

from rest_framework import serializers

from crossborder import messages

from ..choices import Grade, ReturnReason
from ..models import PartnerReturnNotice
from ..returns.services import partner_returns
from ..returns.services.returns import NOTICE


class AmountPayload(serializers.Serializer):
    amount = serializers.RegexField(r"^-?\d{1,12}(\.\d{1,4})?$", max_length=18)
    currency = serializers.RegexField(r"^[A-Z]{3}$")


class ReturnNoticeLine(serializers.Serializer):
    line = serializers.CharField(max_length=120)
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=10000)
    received = serializers.IntegerField(min_value=0, max_value=10000, required=False, default=0)
    grades = serializers.ListField(
        child=serializers.ChoiceField(choices=Grade.values), max_length=10000, required=False, default=list
    )
    refund = AmountPayload(required=False)
    chargeback = AmountPayload(required=False)


class ReturnNoticePayload(serializers.Serializer):
    # `return`, a Python keyword, is the field's name on the wire.
    order = serializers.UUIDField()
    order_number = serializers.CharField(max_length=40)
    step = serializers.ChoiceField(choices=PartnerReturnNotice.Step.values)
    kind = serializers.ChoiceField(choices=["return", "exchange"])
    reason = serializers.ChoiceField(choices=ReturnReason.values)
    at = serializers.DateTimeField()
    lines = serializers.ListField(child=ReturnNoticeLine(), min_length=1, max_length=200)

    def get_fields(self):
        fields = super().get_fields()
        fields["return"] = serializers.UUIDField()
        return fields


@messages.register(
    NOTICE,
    payload_serializer=ReturnNoticePayload,
    description="A step of a shopper's return of the receiver's goods at the sender (opened, received, graded, "
    "refunded, exchanged): quantities, reason code, grades and amounts. The receiver records each step once.",
)
def receive_return_notice(*, partnership, payload, seq):
    notice = partner_returns.receive_return_notice(partnership=partnership, payload=payload)
    return {"return": str(notice.return_reference), "step": notice.step}
