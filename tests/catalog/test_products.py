"""Products through the services: what is derived from them, and every bad input refused with a
code that names the field, leaving the database unchanged."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from djmoney.money import Money
from PIL import Image

from catalog import search, services
from catalog.errors import CatalogErrorCode
from catalog.models import Category, ExportOffer, Product, ProductVariant
from tests.partners import table_counts

from .factories import NURSING_AND_FEEDING, make_merchant, make_product, money, product_input

pytestmark = pytest.mark.django_db


def png_upload(name="photo.png", size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 80)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_the_shipped_taxonomy_is_loaded_with_real_ids_and_chinese_names():
    node = Category.objects.get(pk=NURSING_AND_FEEDING)
    assert node.path_en == "Baby & Toddler > Nursing & Feeding"
    assert node.parent_id == 537
    assert node.name_in("zh-hans") and node.name_in("zh-hans") != node.name_en
    assert node.name_in("en") == "Nursing & Feeding"


def test_a_saved_product_carries_its_lowest_active_price_and_a_search_document():
    product = make_product(
        variants=[
            services.VariantInput(sku="A-S", price=money("120.00"), stock=1, attributes={"size": "S"}),
            services.VariantInput(sku="A-M", price=money("99.50"), stock=1, attributes={"size": "M"}),
            services.VariantInput(sku="A-L", price=money("10.00"), stock=1, is_active=False),
        ]
    )
    assert product.price == money("99.50")
    assert "婴儿奶瓶" in product.search_document
    assert "奶瓶" in product.search_document.split()  # the bigram of the unspaced title
    assert "baby bottle" in product.search_document


def test_every_change_moves_the_version_and_the_offers_feed_position(remote):
    merchant = make_merchant()
    product = make_product(merchant)
    offer = services.set_export_offer(
        merchant=merchant,
        product=product,
        partnership=remote.partnership,
        is_offered=True,
        export_price=money("80.00"),
        direct_stock=5,
    )
    before_version, before_offer = product.version, (offer.version, offer.changed_at)

    data = product_input(code=product.code, skus=[product.variants.get().sku], price="88.00")
    product = services.save_product(merchant=merchant, data=data, product=product)

    offer.refresh_from_db()
    assert product.version == before_version + 1
    assert offer.version == before_offer[0] + 1
    assert offer.changed_at > before_offer[1]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"price": "-1.00"}, CatalogErrorCode.PRICE_NOT_POSITIVE, "price"),
        ({"price": "0"}, CatalogErrorCode.PRICE_NOT_POSITIVE, "price"),
        ({"hs_code": "3924"}, CatalogErrorCode.HS_CODE_MALFORMED, "hs_code"),
        ({"hs_code": "39241O"}, CatalogErrorCode.HS_CODE_MALFORMED, "hs_code"),
        ({"category_id": 999999999}, CatalogErrorCode.UNKNOWN_CATEGORY, "category"),
        ({"titles": {"en": "Only English"}}, CatalogErrorCode.TITLE_MISSING, "title_zh-hans"),
        ({"original_language": "xx"}, CatalogErrorCode.UNKNOWN_LANGUAGE, "language"),
        ({"weight_grams": 0}, CatalogErrorCode.INVALID, "weight_grams"),
    ],
)
def test_bad_product_input_is_refused_naming_the_field_and_changes_nothing(change, code, field):
    merchant = make_merchant()
    before = table_counts()
    with pytest.raises(services.CatalogError) as refused:
        services.save_product(merchant=merchant, data=product_input(**change))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert table_counts() == before


def test_a_price_in_another_currency_than_the_platforms_is_refused(settings):
    assert settings.PLATFORM_CURRENCY != "USD"
    merchant = make_merchant()
    data = product_input()
    data.variants[0].price = Money(Decimal("10.00"), "USD")
    with pytest.raises(services.CatalogError) as refused:
        services.save_product(merchant=merchant, data=data)
    assert refused.value.code == CatalogErrorCode.WRONG_CURRENCY


def test_a_sku_of_another_product_is_refused():
    make_product(skus=["TAKEN-1"])
    with pytest.raises(services.CatalogError) as refused:
        make_product(skus=["TAKEN-1"])
    assert refused.value.code == CatalogErrorCode.SKU_TAKEN
    assert ProductVariant.objects.filter(sku="TAKEN-1").count() == 1


def test_a_merchant_cannot_touch_another_merchants_product(remote):
    owner, intruder = make_merchant(), make_merchant()
    product = make_product(owner)
    before = table_counts()
    attempts = [
        lambda: services.save_product(merchant=intruder, data=product_input(code=product.code), product=product),
        lambda: services.archive_product(merchant=intruder, product=product),
        lambda: services.add_product_image(merchant=intruder, product=product, upload=png_upload()),
        lambda: services.set_export_offer(
            merchant=intruder,
            product=product,
            partnership=remote.partnership,
            is_offered=True,
            export_price=money("1.00"),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(services.CatalogError) as refused:
            attempt()
        assert refused.value.code == CatalogErrorCode.NOT_YOUR_PRODUCT
        assert refused.value.status == 403
    assert table_counts() == before


def test_an_image_upload_must_be_a_real_image_within_the_size_limit(settings):
    merchant = make_merchant()
    product = make_product(merchant)
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(services.CatalogError) as refused:
        services.add_product_image(merchant=merchant, product=product, upload=fake)
    assert (refused.value.code, refused.value.field) == (CatalogErrorCode.NOT_AN_IMAGE, "image")

    settings.CATALOG_MAX_IMAGE_BYTES = 50
    with pytest.raises(services.CatalogError) as refused:
        services.add_product_image(merchant=merchant, product=product, upload=png_upload(size=(64, 64)))
    assert refused.value.code == CatalogErrorCode.UPLOAD_TOO_LARGE
    assert product.images.count() == 0


def test_a_real_image_is_stored_with_its_size(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    merchant = make_merchant()
    product = make_product(merchant)
    image = services.add_product_image(merchant=merchant, product=product, upload=png_upload(size=(30, 20)))
    assert (image.width, image.height) == (30, 20)


def test_an_offer_needs_a_positive_export_price_and_a_live_partnership(remote):
    merchant = make_merchant()
    product = make_product(merchant)
    with pytest.raises(services.CatalogError) as refused:
        services.set_export_offer(
            merchant=merchant, product=product, partnership=remote.partnership, is_offered=True, export_price=None
        )
    assert refused.value.field == "export_price"

    remote.partnership.status = remote.partnership.Status.ENDED
    remote.partnership.save()
    with pytest.raises(services.CatalogError) as refused:
        services.set_export_offer(
            merchant=merchant,
            product=product,
            partnership=remote.partnership,
            is_offered=True,
            export_price=money("5.00"),
        )
    assert refused.value.code == CatalogErrorCode.PARTNERSHIP_NOT_LIVE
    assert ExportOffer.objects.count() == 0


def test_withdrawing_an_offer_keeps_the_row_for_the_feed_tombstone(remote):
    merchant = make_merchant()
    product = make_product(merchant)
    services.set_export_offer(
        merchant=merchant,
        product=product,
        partnership=remote.partnership,
        is_offered=True,
        export_price=money("5.00"),
        direct_stock=3,
    )
    offer = services.set_export_offer(
        merchant=merchant, product=product, partnership=remote.partnership, is_offered=False
    )
    assert offer.is_offered is False and offer.version == 2
    assert offer.export_price == money("5.00")


def test_archiving_is_how_a_product_is_deleted():
    merchant = make_merchant()
    product = make_product(merchant)
    product = services.archive_product(merchant=merchant, product=product)
    assert product.status == Product.Status.ARCHIVED
    assert Product.objects.filter(pk=product.pk).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [("婴儿奶瓶", ["婴儿奶瓶"]), ("奶瓶 baby", ["奶瓶", "baby"]), ("", []), ("Bottle, BOTTLE", ["bottle"])],
)
def test_query_terms_split_cjk_runs_from_latin_words(query, expected):
    assert search.query_terms(query) == expected
