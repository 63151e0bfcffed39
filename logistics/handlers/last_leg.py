"""Partner messages of logistics: last leg. Registered when the app is ready.

delivery.tracking: the exporting partner relays the tracking of a parcel it sends cross-border
direct to one of our shoppers."""

from rest_framework import serializers

from crossborder import messages

from ..services import last_leg


class TrackingEventPayload(serializers.Serializer):
    event_id = serializers.CharField(max_length=120)
    status = serializers.ChoiceField(choices=[str(status) for status in last_leg.TRACKING_STATUSES])
    description = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")
    location = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")
    occurred_at = serializers.DateTimeField()


class TrackingPayload(serializers.Serializer):
    order_line = serializers.CharField(max_length=120)
    sku = serializers.CharField(max_length=64)
    carrier = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    tracking_number = serializers.CharField(max_length=80, allow_blank=True, required=False, default="")
    events = serializers.ListField(child=TrackingEventPayload(), max_length=200, required=False, default=list)


@messages.register(
    last_leg.TRACKING_MESSAGE,
    payload_serializer=TrackingPayload,
    description="The exporter relays the carrier, tracking number and tracking events of a cross-border direct "
    "parcel to the importer's shopper (events are idempotent by event_id).",
)
def receive_tracking(*, partnership, payload, seq):
    shipment, recorded = last_leg.receive_direct_tracking(
        partnership=partnership,
        order_line=payload["order_line"],
        sku=payload["sku"],
        carrier=payload.get("carrier", ""),
        tracking_number=payload.get("tracking_number", ""),
        events=payload.get("events", []),
    )
    return {"shipment": str(shipment.reference), "status": shipment.status, "recorded": recorded}
