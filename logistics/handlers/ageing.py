"""Partner messages of logistics: ageing. Registered when the app is ready.

The importer proposes what to do with the exporter's aged goods, the exporter decides, and the
importer reports an agreed action carried out; each receiver calls one service."""

from rest_framework import serializers

from crossborder import bounds, messages

from ..models import AgedStockAction
from ..services import ageing


class AgedProposalSerializer(serializers.Serializer):
    reference = serializers.UUIDField()
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(**bounds.of_type("PositiveIntegerField", min_value=1))
    oldest_age_days = serializers.IntegerField(min_value=0, max_value=100_000)
    threshold_days = serializers.IntegerField(min_value=0, max_value=100_000)
    action = serializers.ChoiceField(choices=AgedStockAction.Action.values)
    markdown_percent = serializers.IntegerField(min_value=1, max_value=99, allow_null=True, required=False)


class AgedProposalsPayload(serializers.Serializer):
    actions = AgedProposalSerializer(many=True, min_length=1, max_length=ageing.PROPOSALS_PER_MESSAGE)


class AgedDecisionPayload(serializers.Serializer):
    reference = serializers.UUIDField()
    decision = serializers.ChoiceField(choices=["agreed", "rejected"])
    action = serializers.ChoiceField(choices=AgedStockAction.Action.values)
    markdown_percent = serializers.IntegerField(min_value=1, max_value=99, allow_null=True, required=False)


class AgedCarriedOutPayload(serializers.Serializer):
    reference = serializers.UUIDField()
    action = serializers.ChoiceField(choices=AgedStockAction.Action.values)
    quantity = serializers.IntegerField(**bounds.of_type("PositiveIntegerField", min_value=0))


@messages.register(
    ageing.PROPOSAL,
    payload_serializer=AgedProposalsPayload,
    description="The importer's proposed actions for the exporter's aged consignment stock.",
)
def receive_aged_proposals(*, partnership, payload, seq):
    rows = ageing.record_aged_proposals(partnership=partnership, payload=payload)
    return {"recorded": [str(row.reference) for row in rows]}


@messages.register(
    ageing.DECISION,
    payload_serializer=AgedDecisionPayload,
    description="The exporter's decision on a proposed aged-stock action (it may choose another action).",
)
def receive_aged_decision(*, partnership, payload, seq):
    row = ageing.record_aged_decision(partnership=partnership, payload=payload)
    return {"reference": str(row.reference), "status": row.status, "action": row.action}


@messages.register(
    ageing.CARRIED_OUT,
    payload_serializer=AgedCarriedOutPayload,
    description="The importer carried out an agreed aged-stock action on the exporter's goods.",
)
def receive_aged_carried_out(*, partnership, payload, seq):
    row = ageing.record_aged_carried_out(partnership=partnership, payload=payload)
    return {"reference": str(row.reference), "status": row.status}
