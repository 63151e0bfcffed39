"""The merchant area through its pages: who may see it, the product list, the product form with its
variants, images and export offers, the spreadsheet import and export, and the "abroad" page. Every
refusal shows on the field it concerns and changes nothing."""

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from PIL import Image

from catalog import imports, services
from catalog.models import ExportOffer, Product, ProductImage
from tests.partners import table_counts

from .factories import NURSING_AND_FEEDING, TEST_PASSWORD, make_merchant, make_product, make_user, money

pytestmark = pytest.mark.django_db

LIST = "/merchant/"


@pytest.fixture
def user():
    return make_user()


@pytest.fixture
def merchant(user):
    return make_merchant(name="Panda Baby", users=[user])


@pytest.fixture
def signed_in(client, user, merchant):
    client.force_login(user)
    return client


def png_upload(name="photo.png", size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 80)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def product_url(product, suffix=""):
    return f"/en/merchant/products/{product.reference}/{suffix}"  # English messages


def form_data(code="BOTTLE-1", variants=None, initial_forms=0, **overrides):
    """What the product form posts: product fields, a title and description per language, and the
    variant rows of the formset."""
    variants = (
        variants
        if variants is not None
        else [
            {
                "sku": f"{code}-S",
                "size_en": "S",
                "colour_zh-hans": "蓝色",
                "colour_en": "blue",
                "price": "99.00",
                "stock": "5",
                "is_active": "on",
            },
            {
                "sku": f"{code}-M",
                "size_en": "M",
                "colour_en": "blue",
                "price": "109.50",
                "stock": "3",
                "is_active": "on",
            },
        ]
    )
    data = {
        "code": code,
        "category": str(NURSING_AND_FEEDING),
        "brand": "Acme",
        "hs_code": "392410",
        "country_of_origin": "CN",
        "weight_grams": "250",
        "length_mm": "",
        "width_mm": "",
        "height_mm": "",
        "original_language": "zh-hans",
        "status": "active",
        "title_zh-hans": "婴儿奶瓶",
        "description_zh-hans": "耐热玻璃",
        "title_en": "Baby bottle",
        "description_en": "Heat-resistant glass",
        "variants-TOTAL_FORMS": str(len(variants) + 1),
        "variants-INITIAL_FORMS": str(initial_forms),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "100",
    }
    for index, row in enumerate(variants):
        for name, value in row.items():
            data[f"variants-{index}-{name}"] = value
    data.update(overrides)
    return data


def field_errors(response, name):
    form = response.context["form"]
    return [str(message) for message in form.errors.get(name, [])]


def variant_errors(response, index, name):
    formset = response.context["formset"]
    return [str(message) for message in formset.forms[index].errors.get(name, [])]


# --- who may enter -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "login"),
    [("/merchant/", "/merchant/login/"), ("/en/merchant/import/", "/en/merchant/login/")],
)
def test_every_page_needs_a_login_and_sends_to_the_merchant_login(client, path, login):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{login}?next={path}"


def test_the_login_page_logs_a_merchant_user_in_and_opens_the_product_list(client, merchant, user):
    response = client.post("/en/merchant/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/merchant/start/"
    assert client.get("/en/merchant/start/")["Location"] == "/en/merchant/"
    assert client.get("/en/merchant/").status_code == 200


def test_a_user_in_no_merchant_is_told_so(client):
    client.force_login(make_user())
    response = client.get("/en/merchant/")
    assert response.status_code == 403
    assert "not linked to any merchant" in response.content.decode()


def test_a_user_in_several_merchants_chooses_one_and_the_choice_is_remembered(client, user, merchant):
    other = make_merchant(name="Zebra Toys", users=[user])
    make_product(merchant, code="PANDA-1")
    make_product(other, code="ZEBRA-1")
    client.force_login(user)

    response = client.get("/en/merchant/")
    assert response.status_code == 302
    assert response["Location"] == "/en/merchant/choose/?next=/en/merchant/"

    response = client.post("/en/merchant/choose/", {"merchant": other.pk, "next": "/en/merchant/"})
    assert response["Location"] == "/en/merchant/"
    page = client.get("/en/merchant/").content.decode()
    assert "ZEBRA-1" in page and "PANDA-1" not in page

    client.post("/en/merchant/choose/", {"merchant": merchant.pk})
    page = client.get("/en/merchant/").content.decode()
    assert "PANDA-1" in page and "ZEBRA-1" not in page


def test_choosing_a_merchant_the_user_is_not_in_is_ignored(client, user, merchant):
    make_merchant(users=[user])
    stranger = make_merchant()
    client.force_login(user)
    client.post("/en/merchant/choose/", {"merchant": stranger.pk})
    assert client.get("/en/merchant/").status_code == 302  # still asked to choose


# --- the product list --------------------------------------------------------------------------


def test_the_list_shows_only_the_merchants_own_products(signed_in, merchant):
    own = make_product(merchant, code="OWN-1", titles={"zh-hans": "自己的奶瓶", "en": "Own bottle"})
    make_product(make_merchant(), code="THEIRS-1")

    response = signed_in.get("/en/merchant/")

    assert [row.product.pk for row in response.context["rows"]] == [own.pk]
    page = response.content.decode()
    assert "OWN-1" in page and "Own bottle" in page and "THEIRS-1" not in page


def test_the_list_shows_title_in_the_merchants_language_lowest_price_stock_and_partners(signed_in, merchant, remote):
    product = make_product(
        merchant,
        titles={"zh-hans": "奶瓶"},
        variants=[
            services.VariantInput(sku="L-1", price=money("30.00"), stock=4),
            services.VariantInput(sku="L-2", price=money("20.00"), stock=6),
        ],
    )
    services.set_export_offer(
        merchant=merchant, product=product, partnership=remote.partnership, is_offered=True, export_price=money("15")
    )

    row = signed_in.get("/en/merchant/").context["rows"][0]

    assert row.title == "奶瓶"  # no English title: the original
    assert row.product.price == money("20.00")
    assert (row.total_stock, row.offered_count) == (10, 1)


def test_the_list_filters_by_status_and_searches_code_and_title(signed_in, merchant):
    make_product(merchant, code="CUP-1", titles={"zh-hans": "杯子", "en": "Sippy cup"})
    make_product(merchant, code="BOTTLE-9", titles={"zh-hans": "奶瓶", "en": "Glass bottle"})
    make_product(merchant, code="DRAFT-1", titles={"zh-hans": "勺子", "en": "Spoon"}, status=Product.Status.DRAFT)

    def codes(query):
        return [row.product.code for row in signed_in.get("/en/merchant/", query).context["rows"]]

    assert codes({"status": "draft"}) == ["DRAFT-1"]
    assert codes({"q": "cup"}) == ["CUP-1"]
    assert codes({"q": "bottle-9"}) == ["BOTTLE-9"]
    assert codes({"q": "奶瓶"}) == ["BOTTLE-9"]
    assert codes({"q": "glass", "status": "draft"}) == []


def test_the_list_is_paginated(signed_in, merchant):
    for _n in range(27):
        make_product(merchant)
    first = signed_in.get("/en/merchant/")
    second = signed_in.get("/en/merchant/", {"page": 2})
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2


def test_the_list_runs_the_same_queries_for_5_and_30_products(
    signed_in, merchant, remote, django_assert_max_num_queries
):
    def make(count):
        for _n in range(count):
            product = make_product(merchant)
            services.set_export_offer(
                merchant=merchant,
                product=product,
                partnership=remote.partnership,
                is_offered=True,
                export_price=money("10"),
            )

    make(5)
    with CaptureQueriesContext(connection) as five:
        assert signed_in.get("/en/merchant/").status_code == 200
    make(25)
    with django_assert_max_num_queries(len(five)):
        response = signed_in.get("/en/merchant/")
    assert len(response.context["rows"]) == 25


# --- the product form --------------------------------------------------------------------------


def test_a_product_is_created_from_the_form_with_two_languages_and_two_variants(signed_in, merchant):
    response = signed_in.post("/en/merchant/products/new/", form_data())

    product = Product.objects.get(merchant=merchant, code="BOTTLE-1")
    assert response.status_code == 302
    assert response["Location"] == f"/en/merchant/products/{product.reference}/"
    assert {text.language: (text.title, text.description) for text in product.texts.all()} == {
        "zh-hans": ("婴儿奶瓶", "耐热玻璃"),
        "en": ("Baby bottle", "Heat-resistant glass"),
    }
    variants = [(v.sku, v.attributes, v.price, v.stock, v.is_active) for v in product.variants.all()]
    assert variants == [
        ("BOTTLE-1-S", {"size": {"en": "S"}, "colour": {"zh-hans": "蓝色", "en": "blue"}}, money("99.00"), 5, True),
        ("BOTTLE-1-M", {"size": {"en": "M"}, "colour": {"en": "blue"}}, money("109.50"), 3, True),
    ]
    assert product.price == money("99.00")
    assert isinstance(product.price.amount, Decimal)
    assert (product.hs_code, product.weight_grams, product.category_id) == ("392410", 250, NURSING_AND_FEEDING)


def test_the_new_product_form_renders_in_both_languages(signed_in):
    english = signed_in.get("/en/merchant/products/new/")
    chinese = signed_in.get("/merchant/products/new/")
    assert english.status_code == chinese.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert 'name="title_zh-hans"' in english.content.decode() and 'name="title_en"' in english.content.decode()
    assert '<option value="CN" selected>China</option>' in english.content.decode()
    assert '<option value="CN" selected>中国</option>' in chinese.content.decode()


@pytest.mark.parametrize("price", ["0", "-5.00"])
def test_a_zero_or_negative_price_is_shown_on_the_price_field_and_creates_nothing(signed_in, price):
    before = table_counts()
    data = form_data()
    data["variants-1-price"] = price

    response = signed_in.post("/en/merchant/products/new/", data)

    assert response.status_code == 200
    assert variant_errors(response, 1, "price") == ["A price must be more than zero."]
    assert variant_errors(response, 0, "price") == []
    assert "A price must be more than zero." in response.content.decode()
    assert table_counts() == before


def test_a_malformed_hs_code_is_shown_on_the_hs_code_field_and_creates_nothing(signed_in):
    before = table_counts()
    response = signed_in.post("/en/merchant/products/new/", form_data(hs_code="3924"))
    assert response.status_code == 200
    assert field_errors(response, "hs_code") == ["HS code '3924' is not 6 digits."]
    assert table_counts() == before


def test_a_missing_title_in_the_original_language_is_shown_on_that_title(signed_in):
    response = signed_in.post("/en/merchant/products/new/", form_data(**{"title_zh-hans": ""}))
    assert field_errors(response, "title_zh-hans") == ["A title in the original language (zh-hans) is required."]
    assert not Product.objects.exists()


def test_a_sku_of_another_product_is_shown_on_that_variant_row(signed_in, merchant):
    make_product(make_merchant(), skus=["TAKEN-1"])
    data = form_data()
    data["variants-1-sku"] = "TAKEN-1"
    response = signed_in.post("/en/merchant/products/new/", data)
    assert variant_errors(response, 1, "sku") == ["SKU TAKEN-1 belongs to another product."]
    assert not Product.objects.filter(merchant=merchant).exists()


def test_editing_a_product_updates_it_and_takes_a_dropped_sku_off_sale(signed_in, merchant):
    signed_in.post("/en/merchant/products/new/", form_data())
    product = Product.objects.get(code="BOTTLE-1")
    page = signed_in.get(product_url(product))
    assert page.context["form"].initial["title_en"] == "Baby bottle"

    data = form_data(
        variants=[{"sku": "BOTTLE-1-S", "price": "89.00", "stock": "7", "is_active": "on"}],
        initial_forms=2,
        brand="Acme Plus",
        title_en="Glass baby bottle",
    )
    response = signed_in.post(product_url(product), data)

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.brand == "Acme Plus"
    assert product.texts.get(language="en").title == "Glass baby bottle"
    assert {v.sku: (v.price, v.stock, v.is_active) for v in product.variants.all()} == {
        "BOTTLE-1-S": (money("89.00"), 7, True),
        "BOTTLE-1-M": (money("109.50"), 3, False),
    }


def test_the_product_page_runs_a_fixed_number_of_queries(signed_in, merchant, remote, django_assert_max_num_queries):
    product = make_product(merchant, skus=["Q-1", "Q-2", "Q-3"])
    services.add_product_image(merchant=merchant, product=product, upload=png_upload())
    services.set_export_offer(
        merchant=merchant, product=product, partnership=remote.partnership, is_offered=True, export_price=money("9")
    )
    with django_assert_max_num_queries(12):
        assert signed_in.get(product_url(product)).status_code == 200


def test_archiving_from_the_product_page(signed_in, merchant):
    product = make_product(merchant)
    response = signed_in.post(product_url(product, "archive/"))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.status == Product.Status.ARCHIVED


# --- another merchant's product ----------------------------------------------------------------


def test_another_merchants_product_is_not_found(signed_in):
    theirs = make_product(make_merchant())
    assert signed_in.get(product_url(theirs)).status_code == 404


def test_posting_to_another_merchants_product_is_not_found_and_changes_nothing(signed_in, remote):
    other = make_merchant()
    theirs = make_product(other, code="THEIRS-1", brand="Theirs")
    image = services.add_product_image(merchant=other, product=theirs, upload=png_upload())
    theirs.refresh_from_db()
    before = table_counts()
    version = theirs.version

    posts = [
        (product_url(theirs), form_data(code="THEIRS-1", brand="Mine now", initial_forms=1)),
        (product_url(theirs, "archive/"), {}),
        (product_url(theirs, "images/"), {"image": png_upload()}),
        (product_url(theirs, f"images/{image.pk}/remove/"), {}),
        (
            product_url(theirs, "offers/"),
            {
                f"offer-{remote.partnership.pk}-is_offered": "on",
                f"offer-{remote.partnership.pk}-export_price": "5",
                f"offer-{remote.partnership.pk}-direct_stock": "1",
            },
        ),
    ]
    for url, data in posts:
        assert signed_in.post(url, data).status_code == 404, url

    theirs.refresh_from_db()
    assert (theirs.brand, theirs.status, theirs.version) == ("Theirs", Product.Status.ACTIVE, version)
    assert table_counts() == before


# --- images ------------------------------------------------------------------------------------


def test_an_upload_that_is_not_an_image_says_so_and_stores_nothing(signed_in, merchant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = make_product(merchant)
    upload = SimpleUploadedFile("photo.png", b"this is not a picture", content_type="image/png")

    response = signed_in.post(product_url(product, "images/"), {"image": upload})

    assert response.status_code == 200
    assert response.context["image_form"].errors["image"] == ["The file is not an image."]
    assert "The file is not an image." in response.content.decode()
    assert not ProductImage.objects.exists()
    assert not any(tmp_path.rglob("*.png"))


def test_a_png_upload_is_stored_listed_and_removable(signed_in, merchant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = make_product(merchant)

    response = signed_in.post(product_url(product, "images/"), {"image": png_upload(size=(30, 20)), "alt_text": "Side"})

    assert response.status_code == 302
    image = ProductImage.objects.get(product=product)
    assert (image.width, image.height, image.alt_text) == (30, 20, "Side")
    assert image.image.url in signed_in.get(product_url(product)).content.decode()

    signed_in.post(product_url(product, f"images/{image.pk}/remove/"))
    assert not ProductImage.objects.exists()


# --- export offers -----------------------------------------------------------------------------


def offer_data(partnership, *, offered=True, price="80.00", stock="5"):
    prefix = f"offer-{partnership.pk}"
    data = {f"{prefix}-export_price": price, f"{prefix}-direct_stock": stock}
    if offered:
        data[f"{prefix}-is_offered"] = "on"
    return data


def test_the_offer_form_saves_export_price_and_stock(signed_in, merchant, remote):
    product = make_product(merchant)
    page = signed_in.get(product_url(product))
    assert [form.partnership for form in page.context["offer_forms"]] == [remote.partnership]

    response = signed_in.post(product_url(product, "offers/"), offer_data(remote.partnership))

    assert response.status_code == 302
    offer = ExportOffer.objects.get(product=product, partnership=remote.partnership)
    assert (offer.is_offered, offer.export_price, offer.direct_stock) == (True, money("80.00"), 5)

    signed_in.post(product_url(product, "offers/"), offer_data(remote.partnership, offered=False))
    offer.refresh_from_db()
    assert offer.is_offered is False


def test_the_offer_form_refuses_a_zero_export_price_on_that_row(signed_in, merchant, remote):
    product = make_product(merchant)

    response = signed_in.post(product_url(product, "offers/"), offer_data(remote.partnership, price="0"))

    assert response.status_code == 200
    (form,) = response.context["offer_forms"]
    assert form.errors["export_price"] == ["A price must be more than zero."]
    assert not ExportOffer.objects.exists()


def test_one_refused_offer_row_saves_none_of_the_rows(signed_in, merchant, remote):
    import datetime as dt

    from crossborder.models import Partner, Partnership

    other = Partnership.objects.create(
        partner=Partner.objects.create(
            code="jp", name="Sakura", country="JP", currency="JPY", languages=["ja"], base_url="http://jp.invalid"
        ),
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="JPY",
        commission_rate="0.0800",
        settlement_cutoff=dt.time(23, 0),
    )
    product = make_product(merchant)

    response = signed_in.post(
        product_url(product, "offers/"), {**offer_data(remote.partnership), **offer_data(other, price="0")}
    )

    assert response.status_code == 200
    rows = {form.partnership.pk: form for form in response.context["offer_forms"]}
    assert rows[other.pk].errors["export_price"] == ["A price must be more than zero."]
    assert not rows[remote.partnership.pk].errors
    assert not ExportOffer.objects.exists()  # the valid row was not saved either


def test_an_untouched_unoffered_row_writes_no_offer(signed_in, merchant, remote):
    product = make_product(merchant)
    signed_in.post(product_url(product, "offers/"), offer_data(remote.partnership, offered=False, price=""))
    assert not ExportOffer.objects.exists()


# --- spreadsheet import and export ------------------------------------------------------------


def spreadsheet(rows):
    """A CSV in the import's own columns; each row names only what differs from a valid product."""
    common = {
        "category_id": str(NURSING_AND_FEEDING),
        "brand": "Acme",
        "hs_code": "392410",
        "country_of_origin": "CN",
        "weight_g": "250",
        "original_language": "zh-hans",
        "stock": "10",
        "currency": django_settings.PLATFORM_CURRENCY,
        "status": "active",
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(imports.COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow({column: {**common, **row}.get(column, "") for column in imports.COLUMNS})
    return buffer.getvalue().encode()


GOOD_ROWS = [
    {"product_code": "CUP-1", "sku": "CUP-1-A", "price": "25.00", "title_zh-hans": "学饮杯", "title_en": "Sippy cup"},
    {"product_code": "BIB-1", "sku": "BIB-1-A", "price": "15.00", "title_zh-hans": "围兜", "title_en": "Bib"},
]


def upload(content, name="products.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_import_with_one_bad_row_names_the_row_and_imports_nothing(signed_in):
    before = table_counts()
    bad = {**GOOD_ROWS[1], "price": "-5.00"}

    response = signed_in.post("/en/merchant/import/", {"file": upload(spreadsheet([GOOD_ROWS[0], bad]))})

    assert response.status_code == 200
    report = response.context["report"]
    assert not report.ok
    assert [(error.row, error.field) for error in report.errors] == [(3, "price")]
    page = response.content.decode()
    assert "Nothing was imported; fix these rows and upload the file again." in page
    assert '<tr data-row="3">' in page
    assert table_counts() == before


def test_a_good_import_reports_what_it_created_and_the_products_are_listed(signed_in, merchant):
    response = signed_in.post("/en/merchant/import/", {"file": upload(spreadsheet(GOOD_ROWS))})

    report = response.context["report"]
    assert (report.ok, report.products_created, report.products_updated) == (True, 2, 0)
    assert "2 products created" in response.content.decode()
    listed = [row.product.code for row in signed_in.get("/en/merchant/").context["rows"]]
    assert sorted(listed) == ["BIB-1", "CUP-1"]


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_file_field(signed_in):
    before = table_counts()
    response = signed_in.post("/en/merchant/import/", {"file": upload(b"\x00\x01 not a sheet", name="products.pdf")})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors["file"]
    assert table_counts() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(signed_in, settings):
    settings.CATALOG_MAX_IMPORT_BYTES = 100
    content = spreadsheet(GOOD_ROWS)
    response = signed_in.post("/en/merchant/import/", {"file": upload(content)})
    assert response.context["form"].errors["file"] == [
        f"The file is {filesizeformat(len(content))}; the limit is 100\xa0bytes."
    ]
    assert not Product.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_and_the_blank_template_download_as_attachments(signed_in, merchant, fmt):
    make_product(merchant, code="EXPORTED-1")

    export = signed_in.get(f"/en/merchant/export/{fmt}/")
    template = signed_in.get(f"/en/merchant/import/template/{fmt}/")

    for response in (export, template):
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment; filename=")
        assert response["Content-Disposition"].endswith(f'.{fmt}"')
    if fmt == "csv":
        assert "EXPORTED-1" in export.content.decode("utf-8-sig")


def test_an_unknown_spreadsheet_format_is_not_found(signed_in):
    assert signed_in.get("/en/merchant/export/pdf/").status_code == 404
    assert signed_in.get("/en/merchant/import/template/pdf/").status_code == 404


# --- abroad ------------------------------------------------------------------------------------


def test_the_abroad_page_lists_offered_products_with_each_partners_offer(signed_in, merchant, remote):
    offered = make_product(merchant, code="ABROAD-1")
    make_product(merchant, code="HOME-ONLY")
    make_product(make_merchant(), code="THEIRS-1")
    services.set_export_offer(
        merchant=merchant,
        product=offered,
        partnership=remote.partnership,
        is_offered=True,
        export_price=money("66.00"),
        direct_stock=4,
    )

    response = signed_in.get("/en/merchant/abroad/")

    assert [row["product"].code for row in response.context["rows"]] == ["ABROAD-1"]
    page = response.content.decode()
    assert "Trailhead Goods" in page and "HOME-ONLY" not in page and "THEIRS-1" not in page
    assert "will be available" not in page and "not reported by the partner" in page
    (item,) = response.context["rows"][0]["offers"]
    offer = item["offer"]
    assert (offer.export_price, offer.direct_stock, offer.is_offered) == (money("66.00"), 4, True)


def test_the_abroad_page_runs_the_same_queries_for_2_and_12_products(
    signed_in, merchant, remote, django_assert_max_num_queries
):
    def make(count):
        for _n in range(count):
            services.set_export_offer(
                merchant=merchant,
                product=make_product(merchant),
                partnership=remote.partnership,
                is_offered=True,
                export_price=money("10"),
            )

    make(2)
    with CaptureQueriesContext(connection) as two:
        signed_in.get("/en/merchant/abroad/")
    make(10)
    with django_assert_max_num_queries(len(two)):
        response = signed_in.get("/en/merchant/abroad/")
    assert len(response.context["rows"]) == 12


# --- ops admin ---------------------------------------------------------------------------------


@pytest.fixture
def ops(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", TEST_PASSWORD))
    return client


def test_ops_admin_shows_the_catalog_read_only(ops, remote):
    merchant = make_merchant()
    product = make_product(merchant)
    offer = services.set_export_offer(
        merchant=merchant, product=product, partnership=remote.partnership, is_offered=True, export_price=money("9")
    )
    pages = [
        "/admin/catalog/merchant/",
        f"/admin/catalog/merchant/{merchant.pk}/change/",
        "/admin/catalog/product/?q=婴儿",
        f"/admin/catalog/product/{product.pk}/change/",
        "/admin/catalog/exportoffer/",
        f"/admin/catalog/exportoffer/{offer.pk}/change/",
        "/admin/catalog/category/?q=Nursing",
        f"/admin/catalog/category/{NURSING_AND_FEEDING}/change/",
    ]
    for page in pages:
        assert ops.get(page).status_code == 200, page
    assert ops.get("/admin/catalog/product/add/").status_code == 403
    assert ops.get("/admin/catalog/category/add/").status_code == 403


def test_ops_admin_actions_go_through_the_services(ops, remote):
    merchant = make_merchant()
    product = make_product(merchant)
    offer = services.set_export_offer(
        merchant=merchant, product=product, partnership=remote.partnership, is_offered=True, export_price=money("9")
    )
    version = Product.objects.get(pk=product.pk).version

    ops.post("/admin/catalog/product/", {"action": "archive", "_selected_action": [product.pk]})
    ops.post("/admin/catalog/exportoffer/", {"action": "withdraw", "_selected_action": [offer.pk]})

    product.refresh_from_db()
    offer.refresh_from_db()
    assert product.status == Product.Status.ARCHIVED
    assert product.version == version + 1  # the service moved it in the partners' feed
    assert offer.is_offered is False
