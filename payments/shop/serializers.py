"""The shop API's request and response shapes (apps and headless storefronts, not partners)."""

from rest_framework import serializers

from crossborder import bounds
from crossborder.grades import RESALE_GRADES
from partner_zone.models import PartnerListing


class ItemSerializer(serializers.Serializer):
    """One line of an order: our goods by SKU, or a partner's by its listing's id."""

    # What validate() asks for, in the schema (crossborder/schema.py AnyOfSerializer).
    schema_any_of = [
        {"required": ["sku"], "properties": {"sku": {"minLength": 1}}},
        {"required": ["listing"]},
    ]
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    listing = serializers.IntegerField(
        required=False, **bounds.integer(PartnerListing, "id", min_value=1), help_text="A partner listing's id"
    )
    quantity = serializers.IntegerField(min_value=1, max_value=999, default=1)
    grade = serializers.ChoiceField(
        choices=[g.value for g in RESALE_GRADES],
        required=False,
        allow_blank=True,
        default="",
        help_text="A graded offer's grade: returned units resold at it (empty: new goods)",
    )

    def validate(self, attrs):
        if not attrs.get("sku") and not attrs.get("listing"):
            raise serializers.ValidationError({"sku": "Give the SKU of our goods, or a partner listing."})
        return attrs


class RecipientSerializer(serializers.Serializer):
    """A delivery address in the platform's country, checked by that country's address rules
    (crossborder.addresses): a refused part answers 400 naming it (`recipient.postcode`)."""

    name = serializers.CharField(max_length=120)
    address_lines = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=1, max_length=4, help_text="The street address"
    )
    country_area = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="Province (CN, e.g. 广东省) or state (US, its code, e.g. CA): required in both countries",
    )
    city = serializers.CharField(max_length=120, help_text="City (CN: one of the province's, e.g. 深圳市)")
    city_area = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default="", help_text="District (CN, e.g. 南山区)"
    )
    postcode = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Postal code (CN: six digits) or ZIP code (US: 12345 or 12345-6789, within the state): "
        "required in both countries",
    )
    country = serializers.CharField(max_length=2, min_length=2)


class OrderRequestSerializer(serializers.Serializer):
    items = ItemSerializer(many=True, allow_empty=False, max_length=50)
    recipient = RecipientSerializer()
    email = serializers.EmailField()
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="A phone number the courier can call (required), national or with its country code",
    )
    buyer_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    buyer_id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    expected_total = serializers.CharField(
        max_length=24, help_text="The total shown to the shopper; the order is placed only for exactly it"
    )


class MoneySerializer(serializers.Serializer):
    amount = serializers.CharField()
    currency = serializers.CharField()


class OrderResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The order's unguessable id, used in its URLs")
    number = serializers.CharField()
    status = serializers.CharField()
    total = MoneySerializer()
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Pay before this, or the order lapses")
    order_url = serializers.URLField()
    payment_url = serializers.CharField(
        allow_null=True,
        help_text="Where the shopper goes to pay: following it opens the payment at the platform's local "
        "method (or goes back to the one under way) and shows it; null once the order no longer awaits payment",
    )


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RefundSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["none", "voided", "refunded", "pending"],
        help_text="none: nothing was taken; voided: the authorisation was released, nothing charged; refunded: "
        "the amount went back; pending: asked of the payment provider, not confirmed yet",
    )
    amount = MoneySerializer(allow_null=True)


class CancelResponseSerializer(OrderResponseSerializer):
    refund = RefundSerializer()
