"""How the catalog looks on the wire: the partner catalog feed's items and tombstones.

The feed renders up to a thousand offers per page, so items are built by plain functions
(`feed_item`, `feed_tombstone`); the DRF serializers below describe the very same shapes for the
OpenAPI schema, and the tests check real pages against them."""

import datetime as dt
from urllib.parse import urljoin

from django.conf import settings
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from crossborder import bounds, money

from .models import Category, ExportOffer, Product, ProductVariant


def iso(moment):
    """A timestamp as partners receive it: ISO 8601 in UTC with a `Z`, to the microsecond."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def media_base_url():
    """Absolute prefix of uploaded files as a partner reaches them (MEDIA_URL may be absolute)."""
    return urljoin(settings.PLATFORM_BASE_URL + "/", settings.MEDIA_URL)


def feed_item(row, *, texts, variants, images):
    """A live offer with everything the partner needs to list the product, from a feed row
    (catalog.feed.OFFER_COLUMNS) and the product's texts, variants and image URLs."""
    return {
        "id": str(row["product__reference"]),
        "deleted": False,
        "version": row["version"],
        "changed_at": iso(row["changed_at"]),
        "merchant": {
            "code": row["product__merchant__slug"],
            "name": row["product__merchant__names"] or {settings.LANGUAGE_CODE: row["product__merchant__name"]},
        },
        "category": {"taxonomy_id": row["product__category_id"], "path_en": row["product__category__path_en"]},
        "brand": row["product__brand"],
        "original_language": row["product__original_language"],
        "texts": texts,
        "hs_code": row["product__hs_code"],
        "needs_installation": row["product__needs_installation"],
        "weight_grams": row["product__weight_grams"],
        "dimensions_mm": {
            "length": row["product__length_mm"],
            "width": row["product__width_mm"],
            "height": row["product__height_mm"],
        },
        "country_of_origin": str(row["product__country_of_origin"]),
        "export_price": export_amount(row["export_price"], str(row["export_price_currency"])),
        "direct_stock": row["direct_stock"],
        "variants": variants,
        "images": images,
    }


def feed_variant(row):
    """A SKU as the feed sends it: its attributes per language ({name: {language: value}}) and,
    where it has them, its own weight and size (else the product's apply)."""
    variant = {"sku": row["sku"], "attributes": row["attributes"], "is_active": row["is_active"]}
    if row["weight_grams"]:
        variant["weight_grams"] = row["weight_grams"]
    if all(row[name] for name in ("length_mm", "width_mm", "height_mm")):
        variant["dimensions_mm"] = {"length": row["length_mm"], "width": row["width_mm"], "height": row["height_mm"]}
    return variant


def feed_tombstone(row):
    """An offer the partner must take down: withdrawn, or its product archived or back in draft."""
    return {
        "id": str(row["product__reference"]),
        "deleted": True,
        "version": row["version"],
        "changed_at": iso(row["changed_at"]),
    }


# --- the same shapes, described for the OpenAPI schema ----------------------------------------


def export_amount(amount, currency):
    """An export price as the feed sends it: the amount in its currency's decimals (1200 JPY, 20.00
    USD, 5.125 KWD), as a decimal string."""
    return {"amount": format(money.quantize(amount, currency), "f"), "currency": currency}


class CatalogFeedMoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        **bounds.decimal(ExportOffer, "export_price"),
        coerce_to_string=True,
        help_text="A decimal string with the currency's decimals (JPY 0, USD 2, KWD 3).",
    )
    currency = serializers.CharField(min_length=3, max_length=3)


class CatalogFeedMerchantSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.DictField(
        child=serializers.CharField(),
        help_text=(
            'The shop\'s name per language code, e.g. {"en": "Cloud Elephant", "zh-hans": "云朵象"}; at least '
            "one. Until the next release a plain string (the former shape) is still accepted and read as "
            "the name in the item's original language."
        ),
    )


class CatalogFeedCategorySerializer(serializers.Serializer):
    taxonomy_id = serializers.IntegerField(
        **bounds.integer(Category, "id"), help_text="Google product taxonomy ID, the same node on every platform."
    )
    path_en = serializers.CharField()


class CatalogFeedTextSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class CatalogFeedDimensionsSerializer(serializers.Serializer):
    length = serializers.IntegerField(allow_null=True, **bounds.integer(Product, "length_mm"))
    width = serializers.IntegerField(allow_null=True, **bounds.integer(Product, "width_mm"))
    height = serializers.IntegerField(allow_null=True, **bounds.integer(Product, "height_mm"))


class CatalogFeedVariantSerializer(serializers.Serializer):
    sku = serializers.CharField()
    attributes = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text=(
            "Attribute name (size, colour...) to its value per language code, e.g. "
            '{"colour": {"en": "Blue", "zh-hans": "蓝色"}}; a value may be given in one language '
            'only. Until the next release a plain string value (the former shape, {"colour": "Blue"}) '
            "is still accepted and read as written in the item's original language."
        ),
    )
    is_active = serializers.BooleanField()
    weight_grams = serializers.IntegerField(
        required=False,
        **bounds.integer(ProductVariant, "weight_grams", min_value=1),
        help_text="This SKU's packed weight where it differs from the product's; absent means the product's.",
    )
    dimensions_mm = CatalogFeedDimensionsSerializer(
        required=False, help_text="This SKU's packed size where it differs from the product's."
    )


class CatalogFeedItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The product's reference, stable for its whole life.")
    deleted = serializers.BooleanField(help_text="Always false for an item.")
    version = serializers.IntegerField(
        **bounds.integer(ExportOffer, "version"), help_text="The offer's version; a higher one replaces a lower one."
    )
    changed_at = serializers.DateTimeField()
    merchant = CatalogFeedMerchantSerializer()
    category = CatalogFeedCategorySerializer()
    brand = serializers.CharField(allow_blank=True)
    original_language = serializers.CharField()
    texts = serializers.DictField(
        child=CatalogFeedTextSerializer(), help_text="Language code to title and description."
    )
    hs_code = serializers.RegexField(r"^[0-9]{6}$")
    needs_installation = serializers.BooleanField(
        required=False, help_text="The product is installed at the shopper's home; absent means false."
    )
    weight_grams = serializers.IntegerField(**bounds.integer(Product, "weight_grams", min_value=1))
    dimensions_mm = CatalogFeedDimensionsSerializer()
    country_of_origin = serializers.CharField(min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2.")
    export_price = CatalogFeedMoneySerializer(
        help_text="In the exporting platform's currency; amount as a decimal string."
    )
    direct_stock = serializers.IntegerField(
        **bounds.integer(ExportOffer, "direct_stock"), help_text="Units available for cross-border direct sale."
    )
    variants = CatalogFeedVariantSerializer(many=True)
    images = serializers.ListField(child=serializers.URLField(), help_text="Absolute URLs.")


class CatalogFeedTombstoneSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    deleted = serializers.BooleanField(help_text="Always true: take the product down.")
    version = serializers.IntegerField(**bounds.integer(ExportOffer, "version"))
    changed_at = serializers.DateTimeField()


class CatalogFeedPageSerializer(serializers.Serializer):
    items = PolymorphicProxySerializer(
        component_name="CatalogFeedEntry",
        serializers=[CatalogFeedItemSerializer, CatalogFeedTombstoneSerializer],
        resource_type_field_name=None,
        many=True,
    )
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as `cursor` for the next page.")
    has_more = serializers.BooleanField()
    watermark = serializers.DateTimeField(help_text="Pass as `updated_since` on the next incremental fetch.")
