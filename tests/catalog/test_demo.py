"""The demo catalog: a believable specialty catalog per platform, in both languages, on real
taxonomy nodes, valid by the same rules as any merchant's goods, and safe to generate twice."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from PIL import Image

from catalog import demo, demo_pictures
from catalog.models import Category, ExportOffer, Merchant, Product, ProductText, ProductVariant
from catalog.services import _check_product_input


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _top_level(products):
    roots = Counter()
    for product in products:
        roots[product.category.path_en.split(" > ")[0]] += 1
    return roots


@pytest.mark.django_db
def test_cn_demo_is_a_few_hundred_mother_and_baby_and_beauty_products_in_both_languages(media, settings):
    settings.PLATFORM_CODE, settings.PLATFORM_CURRENCY = "cn", "CNY"
    result = demo.fill_catalog()

    products = list(Product.objects.select_related("category"))
    assert 200 <= len(products) <= 600
    assert result.products_created == len(products)
    roots = _top_level(products)
    assert set(roots) >= {"Baby & Toddler", "Health & Beauty"}
    assert roots["Baby & Toddler"] + roots["Health & Beauty"] >= 0.8 * len(products)
    # Every product is written in both languages (the merchant's own words, not machine-made).
    languages = Counter(ProductText.objects.values_list("language", flat=True))
    assert languages["zh-hans"] == len(products) and languages["en"] == len(products)
    assert not ProductText.objects.filter(title="").exists()
    # Real taxonomy nodes, six-digit HS codes, prices in the platform currency.
    assert {product.category_id for product in products} <= set(Category.objects.values_list("pk", flat=True))
    assert all(len(product.hs_code) == 6 and product.hs_code.isdigit() for product in products)
    assert set(ProductVariant.objects.values_list("price_currency", flat=True)) == {"CNY"}
    assert all(
        product.price is not None and product.price.amount > 0 for product in products if product.status == "active"
    )
    assert Product.objects.filter(images__isnull=False).distinct().count() >= 0.9 * len(products)


@pytest.mark.django_db
def test_us_demo_is_outdoor_and_kitchen_priced_in_dollars(media, settings):
    settings.PLATFORM_CODE, settings.PLATFORM_CURRENCY = "us", "USD"
    demo.fill_catalog()

    products = list(Product.objects.select_related("category"))
    assert 200 <= len(products) <= 600
    roots = _top_level(products)
    assert roots["Sporting Goods"] + roots["Home & Garden"] >= 0.8 * len(products)
    assert set(ProductVariant.objects.values_list("price_currency", flat=True)) == {"USD"}
    assert Product.objects.filter(original_language="en").count() > len(products) / 2


@pytest.mark.django_db
def test_every_planned_demo_product_passes_the_merchant_validation(settings):
    settings.PLATFORM_CODE, settings.PLATFORM_CURRENCY = "cn", "CNY"
    platform, shops = demo.platform_catalog()
    categories = demo.resolve_categories(shops)
    for shop in shops:
        for planned in demo.plan_shop(shop, categories=categories, language="zh-hans", currency="CNY"):
            _check_product_input(planned.data)  # raises CatalogError on anything a merchant could not enter


@pytest.mark.django_db
def test_running_the_demo_again_creates_nothing_and_offers_once(media, settings, remote):
    settings.PLATFORM_CODE, settings.PLATFORM_CURRENCY = "cn", "CNY"
    call_command("demo_catalog")
    products = Product.objects.count()
    offers = ExportOffer.objects.filter(partnership=remote.partnership, is_offered=True)
    offered = offers.count()
    assert 0.4 * products <= offered <= 0.8 * products
    # The export price is in the exporter's currency and below the home price.
    sample = offers.select_related("product").first()
    assert sample.export_price.currency.code == "CNY"
    assert sample.export_price.amount < sample.product.price.amount

    second = demo.fill_catalog()
    assert second.products_created == 0 and second.products_existing == products
    assert demo.create_export_offers() == {"us": 0}
    assert Product.objects.count() == products and offers.count() == offered


def test_demo_shop_logins_are_listed_for_the_demo_to_print(settings):
    settings.PLATFORM_CODE = "cn"
    logins = demo.shop_logins()
    assert logins and all(password == demo.DEMO_SHOP_PASSWORD for _user, password, _name in logins)


@pytest.mark.django_db
def test_a_demo_products_picture_shows_its_kind_a_bottle_for_a_shampoo_a_tent_for_a_tent(media, settings):
    """Issue 16: shampoo was drawn as a tent. Each kind names its drawing and its products get it."""
    settings.PLATFORM_CODE, settings.PLATFORM_CURRENCY = "us", "USD"
    drawings = {kind.key: kind.picture for shop in demo.US_SHOPS for kind in shop.kinds}
    assert (drawings["TNT"], drawings["SKL"], drawings["KTL"]) == ("tent", "pan", "kettle")
    assert {kind.picture for shop in demo.CN_SHOPS for kind in shop.kinds if kind.key == "SHP"} == {"pump_bottle"}
    assert {kind.picture for shops in demo.CATALOGS.values() for shop in shops for kind in shop.kinds} <= set(
        demo_pictures.DRAWINGS
    )

    demo.fill_catalog()

    tent = Product.objects.filter(code__startswith="TNT-").first()
    image = tent.images.first()
    palettes = demo.PALETTES["us"]
    drawn = {demo_pictures.picture("tent", palette, size=demo.IMAGE_SIZE) for palette in palettes}
    with image.image.open("rb") as stored:
        assert Image.open(stored).tobytes() in {Image.open(io.BytesIO(png)).tobytes() for png in drawn}
    assert Merchant.objects.get(slug="switchback-outfitters").name_in("zh-hans") == "折返户外装备"
    cup = ProductVariant.objects.filter(sku__startswith="TNT-").first()
    assert set(next(iter(cup.attributes.values()))) == {"en", "zh-hans"}
