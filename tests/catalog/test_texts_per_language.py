"""Variant attributes and shop names are texts per language (docs/adr/0027): the merchant writes them
in each language, a reader sees theirs or a good default, the feed carries them all, and the
partner's sync accepts the former single-language shape for one release. A SKU has its own weight
and size, used where shipping weighs it."""

import pytest
from django.utils import translation

from catalog import feed, selectors, services, texts
from catalog.models import ProductVariant
from catalog.serializers import CatalogFeedItemSerializer
from logistics.models import StockLevel
from partner_zone.models import PartnerListing
from partner_zone.selectors import listing_line_title
from partner_zone.services import sync
from tests.partner_zone.factories import feed_item, make_listing, make_partnership

from .factories import make_merchant, make_product, money

pytestmark = pytest.mark.django_db

BLUE = {"en": "Blue", "zh-hans": "蓝色"}


def tent_variants():
    return [
        services.VariantInput(
            sku="TENT-2P",
            price=money("899.00"),
            stock=4,
            attributes={"colour": BLUE, "size": {"en": "2-person", "zh-hans": "双人"}},
            weight_grams=2100,
            length_mm=500,
            width_mm=160,
            height_mm=160,
        ),
        services.VariantInput(sku="TENT-1P", price=money("699.00"), stock=4, attributes={"size": {"en": "1-person"}}),
    ]


def test_a_variant_is_shown_in_the_readers_language_and_one_given_in_one_language_everywhere():
    product = make_product(variants=tent_variants(), weight_grams=1500)
    two, one = product.variants.order_by("position")

    assert two.attributes_label("zh-hans") == "蓝色 / 双人"
    assert two.attributes_label("en") == "Blue / 2-person"
    assert two.attributes_label("en-gb") == "Blue / 2-person"
    assert one.attributes_label("zh-hans") == "1-person"  # given in English only: shown in Chinese too


def test_a_former_single_language_attribute_is_read_as_written_in_the_products_original_language():
    product = make_product(
        original_language="zh-hans",
        variants=[services.VariantInput(sku="CUP-1", price=money("29.00"), attributes={"colour": "薄荷绿"})],
    )

    assert product.variants.get().attributes == {"colour": {"zh-hans": "薄荷绿"}}
    assert texts.attributes_label({"colour": "Mint"}, "zh-hans") == "Mint"


def test_an_attribute_longer_than_allowed_is_refused_and_nothing_is_saved():
    long = "x" * (services.MAX_ATTRIBUTE_CHARS + 1)
    variants = [services.VariantInput(sku="LONG-1", price=money("9.00"), attributes={"colour": {"en": long}})]

    with pytest.raises(services.CatalogError) as refused:
        make_product(code="LONG", variants=variants)

    assert refused.value.field == "attributes" and "LONG-1" in refused.value.detail
    assert not ProductVariant.objects.filter(sku="LONG-1").exists()


def test_a_sku_weighs_its_own_weight_and_else_the_products():
    product = make_product(variants=tent_variants(), weight_grams=1500)
    two, one = product.variants.order_by("position")

    assert (two.shipping_weight_grams, two.dimensions_mm) == (2100, (500, 160, 160))
    assert one.shipping_weight_grams == 1500


def test_the_warehouse_counts_a_sku_at_its_own_weight():
    make_product(variants=tent_variants(), weight_grams=1500)

    weights = dict(StockLevel.objects.filter(sku__startswith="TENT-").values_list("sku", "unit_weight_grams"))

    assert weights == {"TENT-2P": 2100, "TENT-1P": 1500}


def test_the_shop_name_is_kept_per_language_and_shown_in_the_readers():
    merchant = make_merchant(name="云朵象")

    services.set_shop_names(
        merchant=merchant, names={"zh-hans": "云朵象宝贝出行馆", "en": "Cloud Elephant Baby Travel"}
    )

    merchant.refresh_from_db()
    assert merchant.name_in("en") == "Cloud Elephant Baby Travel"
    assert merchant.name_in("zh-hans") == "云朵象宝贝出行馆"
    with pytest.raises(services.CatalogError) as refused:
        services.set_shop_names(merchant=merchant, names={"en": " ", "zh-hans": ""})
    assert refused.value.field == "names"
    merchant.refresh_from_db()
    assert merchant.names["en"] == "Cloud Elephant Baby Travel"  # the refusal changed nothing


def test_the_feed_carries_the_texts_of_every_language_and_a_skus_own_weight(settings):
    from crossborder.models import Partnership

    partnership = make_partnership(code="us")
    merchant = make_merchant(name="云朵象")
    services.set_shop_names(merchant=merchant, names={"zh-hans": "云朵象", "en": "Cloud Elephant"})
    product = make_product(merchant=merchant, variants=tent_variants())
    services.set_export_offer(
        merchant=merchant, product=product, partnership=partnership, is_offered=True, export_price=money("500.00")
    )

    page = feed.feed_page(Partnership.objects.get(pk=partnership.pk), feed.parse_feed_query(partnership, {}))

    item = page["items"][0]
    assert item["merchant"]["name"] == {"zh-hans": "云朵象", "en": "Cloud Elephant"}
    assert item["variants"][0]["attributes"]["colour"] == BLUE
    assert item["variants"][0]["weight_grams"] == 2100
    assert item["variants"][0]["dimensions_mm"] == {"length": 500, "width": 160, "height": 160}
    assert "weight_grams" not in item["variants"][1]
    assert CatalogFeedItemSerializer(data=item).is_valid(), CatalogFeedItemSerializer(data=item).errors


def test_the_partners_sync_keeps_every_language_and_accepts_the_former_shape():
    partnership = make_partnership()
    current = feed_item(
        merchant={"code": "trailhead", "name": {"en": "Trailhead", "zh-hans": "步道户外"}},
        variants=[{"sku": "US-T-2", "attributes": {"colour": BLUE}, "is_active": True, "weight_grams": 2100}],
    )
    former = feed_item(
        merchant={"code": "trailhead", "name": "Trailhead"},
        variants=[{"sku": "US-T-3", "attributes": {"colour": "Green"}, "is_active": True}],
    )

    sync.apply_page(partnership, [current, former])

    listing = PartnerListing.objects.get(reference=current["id"])
    assert listing.merchant_names == {"en": "Trailhead", "zh-hans": "步道户外"}
    assert listing.merchant_name_in("zh-hans") == "步道户外"
    assert listing.variant_label("US-T-2", "zh-hans") == "蓝色"
    assert listing.variants[0]["weight_grams"] == 2100
    old = PartnerListing.objects.get(reference=former["id"])
    assert old.merchant_names == {"en": "Trailhead"} and old.merchant_name_in("zh-hans") == "Trailhead"
    assert old.variants[0]["attributes"] == {"colour": {"en": "Green"}}


def test_an_attribute_that_is_neither_text_nor_texts_per_language_rejects_the_item_by_name():
    partnership = make_partnership()
    bad = feed_item(variants=[{"sku": "US-X", "attributes": {"colour": ["Blue"]}, "is_active": True}])

    result = sync.apply_page(partnership, [bad])

    assert not PartnerListing.objects.filter(reference=bad["id"]).exists()
    assert "colour" in str(result.rejections)


def test_a_partner_lines_title_names_the_chosen_variant_in_the_shoppers_language():
    partnership = make_partnership()
    listing = make_listing(
        partnership,
        variants=[{"sku": "US-T-2", "attributes": {"colour": BLUE}, "is_active": True}],
    )

    assert listing_line_title(listing, "US-T-2", "zh-hans").endswith("(蓝色)")
    assert listing_line_title(listing, "US-T-2", "en").endswith("(Blue)")
    assert "(" not in listing_line_title(listing, "OTHER", "en")


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [("en", "shampoo", "Shampoo & Conditioner"), ("zh-hans", "奶瓶", "奶瓶"), ("en", "baby bottles", "Baby Bottles")],
)
def test_the_category_search_finds_nodes_in_the_merchants_language(language, query, expected):
    with translation.override(language):
        matches = selectors.search_categories(query, language)

    assert matches and expected in matches[0].name
    assert all(" > " in match.path or match.path == match.name for match in matches)


def test_the_category_search_writes_the_path_in_chinese_for_a_chinese_merchant():
    match = selectors.search_categories("shampoo", "zh-hans")[0]

    assert match.path.startswith("健康与美容") or not match.path.isascii()
    assert match.path_en.endswith("Shampoo & Conditioner")


def test_the_merchant_names_the_shop_per_language_on_its_shop_page_and_a_blank_form_changes_nothing(client):
    from .factories import make_user

    user = make_user("shop-owner")
    merchant = make_merchant(name="Panda Baby", users=[user])
    client.force_login(user)

    saved = client.post("/en/merchant/shop/", {"name_zh-hans": "熊猫宝贝", "name_en": "Panda Baby"})
    refused = client.post("/en/merchant/shop/", {"name_zh-hans": "", "name_en": ""})

    assert saved.status_code == 302
    assert refused.status_code == 400 and "at least one language" in refused.content.decode()
    merchant.refresh_from_db()
    assert merchant.names == {"zh-hans": "熊猫宝贝", "en": "Panda Baby"}
    assert "熊猫宝贝" in client.get("/merchant/shop/").content.decode()


def test_the_category_search_endpoint_answers_the_signed_in_merchant_in_its_language(client):
    from .factories import make_user

    user = make_user("picker")
    make_merchant(users=[user])
    client.force_login(user)

    english = client.get("/en/merchant/categories/", {"q": "shampoo"}).json()["results"]
    chinese = client.get("/merchant/categories/", {"q": "洗发"}).json()["results"]

    assert english[0]["id"] == chinese[0]["id"] == 2441
    assert english[0]["path"].endswith("Shampoo & Conditioner") and chinese[0]["path"].endswith("洗发护发")
    assert client.get("/en/merchant/categories/", {"q": ""}).json() == {"results": []}
