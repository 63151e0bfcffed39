"""Shared reviews' start-up registrations: the review panels of the catalog's and the zone's
product pages, the review links of the shop's order page (the earlier apps declare the hooks and
never import after-sales), and the partner messages review.shared and review.withdrawn."""

from django.core.validators import URLValidator
from rest_framework import serializers

from catalog import hooks as catalog_hooks
from crossborder import messages
from partner_zone import hooks as zone_hooks
from payments import hooks as payments_hooks

from ..models import ProductReview
from ..reviews import services, views

catalog_hooks.product_sections.subscribe(views.product_review_panel)
catalog_hooks.product_offered.subscribe(services.share_reviews_with_new_partner)
zone_hooks.listing_sections.subscribe(views.listing_review_panel)
payments_hooks.order_sections.subscribe(views.order_review_links)

_column = ProductReview._meta.get_field


class SharedReviewPayload(serializers.Serializer):
    reference = serializers.UUIDField(help_text="The review's id on the platform it was written on")
    product = serializers.UUIDField(help_text="The exporter's product id")
    product_of = serializers.ChoiceField(
        choices=["receiver", "sender"], help_text="Whose goods: the receiver's (offered to the sender) or the sender's"
    )
    language = serializers.CharField(max_length=_column("language").max_length)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(max_length=_column("title").max_length)
    text = serializers.CharField(max_length=_column("text").max_length, allow_blank=True, required=False, default="")
    author_name = serializers.CharField(max_length=_column("author_name").max_length)
    photos = serializers.ListField(
        child=serializers.CharField(max_length=500, validators=[URLValidator(schemes=["http", "https"])]),
        max_length=services.MAX_PHOTOS,
        required=False,
        default=list,
    )
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    written_at = serializers.DateTimeField()


class WithdrawnReviewPayload(serializers.Serializer):
    reference = serializers.UUIDField()
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


@messages.register(
    services.SHARED,
    payload_serializer=SharedReviewPayload,
    description="A shopper's review written on the sender's platform, of goods the receiver offers the sender "
    "(product_of=receiver) or of the sender's goods the receiver lists in its zone (product_of=sender). In its own "
    "language, with the author's display name only; the receiver moderates what it shows. A higher version "
    "replaces an earlier one; a review of a product never offered or not listed is refused (422).",
)
def receive_shared(*, partnership, payload, seq):
    review = services.receive_shared(partnership=partnership, payload=payload)
    return {"reference": str(review.reference), "version": review.version, "status": review.status}


@messages.register(
    services.WITHDRAWN,
    payload_serializer=WithdrawnReviewPayload,
    description="The platform a review was written on took it down: the receiver shows it no more.",
)
def receive_withdrawn(*, partnership, payload, seq):
    review = services.receive_withdrawn(partnership=partnership, payload=payload)
    return {"reference": str(payload["reference"]), "withdrawn": review is not None}
