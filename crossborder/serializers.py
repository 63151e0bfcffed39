"""Serializers of the partner API's platform-core messages."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from . import bounds, messages, terms
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


def _fee_term_field(term):
    """The serializer field of one fee term (crossborder.terms.FEE_TERMS): its JSON type for
    the schema; the value itself is checked by the term's parser in FeeScheduleSerializer."""
    kind, doc = term.metadata["kind"], term.metadata["doc"]
    optional = {"required": False, "help_text": doc}
    if kind == "flag":
        return serializers.BooleanField(**optional)
    if kind == "days":
        return serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=terms.MAX_DAYS),
            min_length=1,
            max_length=10,
            **optional,
        )
    if kind == "currency":
        return serializers.CharField(min_length=3, max_length=3, **optional)
    if kind == "payer":
        return serializers.ChoiceField(choices=terms.SERVICE_PAYERS, **optional)
    if kind == "day_count":
        return serializers.IntegerField(min_value=0, max_value=terms.MAX_DAYS, **optional)
    if kind == "category_days":
        return serializers.DictField(
            child=serializers.IntegerField(min_value=0, max_value=terms.MAX_DAYS), allow_empty=True, **optional
        )
    if kind == "reasons":
        return serializers.ListField(
            child=serializers.ChoiceField(choices=terms.RETURN_REASONS),
            max_length=len(terms.RETURN_REASONS),
            **optional,
        )
    if kind == "whole_percent":
        return serializers.IntegerField(min_value=1, max_value=99, **optional)
    if kind == "grade_percents":
        percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
        return serializers.DictField(child=percent, allow_empty=False, **optional)
    if kind == "grade_dispositions":
        return serializers.DictField(child=serializers.CharField(max_length=20), allow_empty=False, **optional)
    # (min, max, digits, decimals) of an amount, a rate 0-1 and a percent 0-100
    low, high, digits, places = {
        "amount": (0, terms.MAX_AMOUNT, 12, 4),
        "rate": (0, 1, 5, 4),
        "percent": (0, 100, 5, 2),
    }[kind]
    return serializers.DecimalField(
        max_digits=digits, decimal_places=places, min_value=low, max_value=high, coerce_to_string=True, **optional
    )


class FeeScheduleSerializer(serializers.Serializer):
    """The fee schedule's named terms, one typed field each (generated from crossborder.terms)."""

    locals().update({name: _fee_term_field(term) for name, term in terms.FEE_TERMS.items()})

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in terms.FEE_TERMS)
            if unknown:
                raise serializers.ValidationError(
                    {unknown[0]: [_("Unknown fee term; known: %(known)s.") % {"known": ", ".join(terms.FEE_TERMS)}]}
                )
        return super().to_internal_value(data)


class TermsSerializer(serializers.Serializer):
    """A partnership's agreement; validated through crossborder.terms.Terms, like every way in."""

    settlement_currency = serializers.CharField(min_length=3, max_length=3)
    commission_rate = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)
    fee_schedule = FeeScheduleSerializer(required=False)
    category_scope = serializers.ListField(
        child=serializers.IntegerField(**bounds.of_type("PositiveIntegerField", min_value=1)), max_length=5000
    )
    settlement_cutoff = serializers.TimeField(format="%H:%M")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True, required=False)

    def validate(self, attrs):
        try:
            terms.Terms.parse(dict(attrs))
        except terms.TermsError as exc:
            where = {exc.field: [exc.detail]}
            if exc.field == "fee_schedule":
                where = {"fee_schedule": {exc.key: [exc.detail]}}
            raise serializers.ValidationError(where) from None
        return attrs


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


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, nothing else: not "5", not 5.0, not true."""

    default_error_messages = {"not_integer": _("A JSON integer is required, not %(kind)s.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_integer", kind=type(data).__name__)
        return super().to_internal_value(data)


class EnvelopeSerializer(serializers.Serializer):
    """A partner message: the sender's outbox row, as it travels (docs/partner-protocol.md)."""

    type = serializers.CharField(max_length=60, help_text="The message type's business name.")
    seq = StrictIntegerField(
        **bounds.integer(InboxMessage, "seq", min_value=1),
        help_text="The sender's sequence number of this message in this partnership: 1, 2, 3... "
        "Its identity: a message is applied at most once, in the order of its seq.",
    )
    partnership = serializers.UUIDField(help_text="The partnership's shared reference (a UUID), not a row id.")
    sent_at = serializers.DateTimeField(help_text="When the sender queued the message (ISO 8601, with offset).")
    payload = serializers.DictField(help_text="The message type's payload.")

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


class BatchItemSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(
        max_length=100, help_text="The message's own Idempotency-Key, as it would carry alone (one per message)."
    )
    message = EnvelopeSerializer(help_text="The message, exactly as `messages/` takes it.")


class BatchSerializer(serializers.Serializer):
    """Several messages of one partnership in one signed request (since protocol 1.2), in seq order."""

    partnership = serializers.UUIDField(help_text="The partnership's shared reference; each message names it too.")
    messages = BatchItemSerializer(many=True, min_length=1, max_length=settings.PARTNER_API["BATCH_MAX"])


class BatchInput(BatchSerializer):
    """The batch as the receiver reads it: each message is checked on its own when its turn comes,
    so a refused message is that message's result, not the whole batch's."""

    class _Item(serializers.Serializer):
        idempotency_key = serializers.CharField(max_length=100)
        message = serializers.DictField()

    messages = _Item(many=True, min_length=1, max_length=settings.PARTNER_API["BATCH_MAX"])


class BatchResultSerializer(serializers.Serializer):
    seq = serializers.IntegerField(allow_null=True, **bounds.integer(InboxMessage, "seq"))
    status = serializers.IntegerField(min_value=200, max_value=599, help_text="What `messages/` would have answered.")
    replayed = serializers.BooleanField(help_text="The first answer again (the message was applied before).")
    reply = serializers.DictField(help_text="The message's reply (`MessageReply`), or its refusal (`Error`).")


class BatchReplySerializer(serializers.Serializer):
    results = BatchResultSerializer(
        many=True,
        help_text="One per message handled, in order; the last may be a refusal, after which none was "
        "handled. A message without a result was not applied: send it again.",
    )
    received = serializers.IntegerField(
        min_value=1, max_value=settings.PARTNER_API["BATCH_MAX"], help_text="How many messages the batch carried."
    )


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


class AlertPayload(NoticePayload):
    """An urgent note between the ops teams (protocol 1.1): a partner on 1.0 gets it as a
    `partner.notice` whose subject starts with the severity in brackets."""

    severity = serializers.ChoiceField(choices=["warning", "critical"])
