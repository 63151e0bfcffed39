"""A merchant's user in a real browser: logs in, imports a spreadsheet (a bad row first, then the
fixed file), finds the products in the list, fills in a product's export offer and sees it abroad."""

import csv
import datetime as dt

import pytest
from django.conf import settings as django_settings

from catalog import imports, taxonomy
from catalog.models import Category
from crossborder import services as platform_services
from crossborder.models import Partner, Partnership
from tests.catalog.factories import NURSING_AND_FEEDING, TEST_PASSWORD, make_merchant, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def shared_taxonomy():
    """A transactional test empties every table afterwards, the migrated taxonomy included: put it back."""
    taxonomy.load_rows(Category, taxonomy.read_rows())


@pytest.fixture
def merchant_user():
    user = make_user("lin")
    make_merchant(name="Panda Baby", users=[user])
    return user


@pytest.fixture
def partnership(settings, tmp_path):
    settings.SIGNING_KEY_FILE = tmp_path / "key.pem"
    platform_services.ensure_signing_key()
    partner = Partner.objects.create(
        code="us", name="Trailhead Goods", country="US", currency="USD", base_url="http://us.invalid"
    )
    return Partnership.objects.create(
        partner=partner,
        status="active",
        initiated_by="us",
        settlement_currency="USD",
        commission_rate="0.08",
        settlement_cutoff=dt.time(23),
    )


def log_in(page, live_server, user, path="/en/merchant/"):
    page.goto(live_server.url + path)
    assert "/merchant/login/" in page.url
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")


def spreadsheet_rows(bad_price):
    """Two products, each with a Chinese and an English title; the second's price is `bad_price`."""
    rows = [
        {
            "product_code": "BOTTLE-1",
            "sku": "BOTTLE-1-S",
            "price": "99.00",
            "title_zh-hans": "玻璃奶瓶",
            "title_en": "Glass baby bottle",
        },
        {
            "product_code": "SPOON-1",
            "sku": "SPOON-1-A",
            "price": bad_price,
            "title_zh-hans": "软头勺",
            "title_en": "Soft-tip spoon",
        },
    ]
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
    return [{column: {**common, **row}.get(column, "") for column in imports.COLUMNS} for row in rows]


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(imports.COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_merchant_imports_a_spreadsheet_fixes_the_bad_row_and_sees_the_products(
    live_server, page, shot, merchant_user, tmp_path
):
    log_in(page, live_server, merchant_user)
    shot(page, "merchant-list-empty")
    with page.expect_navigation():
        page.click(".page-bar a[href$='/merchant/import/']")
    assert page.locator("h1").inner_text() == "Import products from a spreadsheet"

    page.set_input_files("#id_file", str(write_csv(tmp_path / "products.csv", spreadsheet_rows("-5.00"))))
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")

    report = page.locator("#import-report")
    assert "Nothing was imported; fix these rows and upload the file again." in report.inner_text()
    bad_row = report.locator("tr[data-row]")
    assert bad_row.count() == 1
    assert bad_row.locator("td").first.inner_text() == "3"  # the header is row 1
    assert "price" in bad_row.inner_text()
    shot(page, "merchant-import-errors")

    page.set_input_files("#id_file", str(write_csv(tmp_path / "products-fixed.csv", spreadsheet_rows("15.00"))))
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")

    assert "2 products created" in page.locator("#import-report").inner_text()
    shot(page, "merchant-import-done")

    with page.expect_navigation():
        page.click("#import-report a[href$='/merchant/']")
    rows = page.locator("table.products tbody tr")
    assert sorted(rows.nth(i).get_attribute("data-code") for i in range(rows.count())) == ["BOTTLE-1", "SPOON-1"]
    assert "Glass baby bottle" in page.locator("table.products").inner_text()
    shot(page, "merchant-list")


def test_a_merchant_offers_an_imported_product_to_a_partner_and_sees_it_abroad(
    live_server, page, shot, merchant_user, partnership, tmp_path
):
    log_in(page, live_server, merchant_user, path="/merchant/import/")
    page.set_input_files("#id_file", str(write_csv(tmp_path / "products.csv", spreadsheet_rows("15.00"))))
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")
    page.goto(live_server.url + "/merchant/")
    with page.expect_navigation():
        page.click("tr[data-code='BOTTLE-1'] td.code a")
    shot(page, "merchant-product-zh-hans")

    row = page.locator("tr.offer-row[data-partner=us]")
    row.locator("input[type=checkbox]").check()
    row.locator("td[data-field=export_price] input").fill("0")
    with page.expect_navigation():
        page.click("#offers button[type=submit]")
    assert page.locator("tr.offer-row[data-partner=us] .errorlist").count() == 1
    shot(page, "merchant-offer-error")

    row = page.locator("tr.offer-row[data-partner=us]")
    row.locator("td[data-field=export_price] input").fill("80.00")
    row.locator("td[data-field=direct_stock] input").fill("6")
    with page.expect_navigation():
        page.click("#offers button[type=submit]")

    page.goto(live_server.url + "/en/merchant/abroad/")
    offer = page.locator("tbody.abroad-product[data-code='BOTTLE-1'] tr[data-partner=us]")
    assert "Trailhead Goods" in offer.inner_text()
    assert "offered" in offer.inner_text()
    shot(page, "merchant-abroad")
