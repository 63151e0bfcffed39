"""Partner messages of the partner zone: campaigns. The partner's campaign proposal (we are the
importer) and our decision on it (received by the proposer); each receiver calls one service."""

from rest_framework import serializers

from crossborder import bounds, messages

from ..models import Campaign
from ..services import campaigns


class CampaignProposalPayload(serializers.Serializer):
    reference = serializers.UUIDField()
    festival = serializers.SlugField(max_length=40, allow_null=True, required=False)
    title = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    suggested_discount_percent = serializers.DecimalField(**bounds.decimal(Campaign, "suggested_discount_percent"))
    partner_share_percent = serializers.DecimalField(**bounds.decimal(Campaign, "partner_share_percent"))
    products = serializers.ListField(
        child=serializers.UUIDField(), allow_empty=False, max_length=campaigns.MAX_PRODUCTS
    )


class CampaignDecisionPayload(serializers.Serializer):
    reference = serializers.UUIDField()
    decision = serializers.ChoiceField(choices=["accepted", "declined"])
    discount_percent = serializers.DecimalField(
        allow_null=True, required=False, **bounds.decimal(Campaign, "discount_percent")
    )
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False)


@messages.register(
    campaigns.PROPOSAL,
    payload_serializer=CampaignProposalPayload,
    description="The partner proposes a festival campaign on its goods in our zone (dates, goods, discount, share).",
)
def receive_campaign_proposal(*, partnership, payload, seq):
    campaign = campaigns.record_campaign_proposal(partnership=partnership, payload=payload)
    return {
        "reference": str(campaign.reference),
        "status": campaign.status,
        "listings": campaign.listings.count(),
        "unknown_products": campaign.unknown_products,
    }


@messages.register(
    campaigns.DECISION,
    payload_serializer=CampaignDecisionPayload,
    description="The partner's ops accepted (with the agreed discount) or declined our campaign proposal.",
)
def receive_campaign_decision(*, partnership, payload, seq):
    campaign = campaigns.record_campaign_decision(partnership=partnership, payload=payload)
    return {"reference": str(campaign.reference), "status": campaign.status}
