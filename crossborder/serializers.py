"""Serializers of the partner API's platform-core messages."""

from rest_framework import serializers

from . import bounds, messages
from .models import InboxMessage


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class PublicKeySerializer(serializers.Serializer):
    key_id = serializers.CharField(max_length=80)
    algorithm = serializers.ChoiceField(choices=["ed25519"], default="ed25519")
    public_key = serializers.CharField(max_length=64)
    not_after = serializers.DateTimeField(allow_null=True, required=False)


class PlatformSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=20)
    name = serializers.CharField(max_length=120)
    country = serializers.CharField(min_length=2, max_length=2)
    currency = serializers.CharField(min_length=3, max_length=3)
    languages = serializers.ListField(child=serializers.CharField(max_length=10), max_length=10)
    base_url = serializers.URLField()


class TermsSerializer(serializers.Serializer):
    settlement_currency = serializers.CharField(min_length=3, max_length=3)
    commission_rate = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)
    fee_schedule = serializers.DictField(child=serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0))
    category_scope = serializers.ListField(
        child=serializers.IntegerField(**bounds.of_type("PositiveIntegerField", min_value=1)), max_length=5000
    )
    settlement_cutoff = serializers.TimeField(format="%H:%M")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True, required=False)


class ProposalSerializer(serializers.Serializer):
    reference = serializers.UUIDField()
    invitation = serializers.CharField(max_length=200)
    platform = PlatformSerializer()
    keys = PublicKeySerializer(many=True, min_length=1, max_length=4)
    terms = TermsSerializer()


class ProposalReplySerializer(serializers.Serializer):
    reference = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["proposed", "active", "suspended", "ended"])
    platform = PlatformSerializer()
    keys = PublicKeySerializer(many=True)
    terms = TermsSerializer()


class EnvelopeSerializer(serializers.Serializer):
    type = serializers.CharField(max_length=60)
    seq = serializers.IntegerField(**bounds.integer(InboxMessage, "seq", min_value=1))
    partnership = serializers.UUIDField()
    sent_at = serializers.DateTimeField()
    payload = serializers.DictField()

    def validate_type(self, value):
        if messages.received(value) is None:
            raise serializers.ValidationError(
                f"Unknown message type {value!r}; known: {', '.join(messages.names())}.", code="unknown_message_type"
            )
        return value


class MessageReplySerializer(serializers.Serializer):
    type = serializers.CharField()
    seq = serializers.IntegerField(**bounds.integer(InboxMessage, "seq"))
    result = serializers.DictField()


class PartnerHealthSerializer(serializers.Serializer):
    platform = serializers.CharField()
    time = serializers.DateTimeField()
    partnership_status = serializers.CharField()
    backlog_to_you = serializers.IntegerField(**bounds.big_integer(min_value=0))
    last_received_seq = serializers.IntegerField(allow_null=True, **bounds.integer(InboxMessage, "seq"))


# --- payloads of the core message types -------------------------------------------------------


class StatusChangePayload(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class KeysUpdatedPayload(serializers.Serializer):
    keys = PublicKeySerializer(many=True, min_length=1, max_length=4)
    reason = serializers.CharField(max_length=40, required=False, default="")


class NoticePayload(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10000, allow_blank=True, required=False, default="")
