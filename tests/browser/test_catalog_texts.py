"""Texts per language in a real browser (docs/adr/0027): a merchant picks a category by searching the
shared taxonomy in its own language, and a cn shopper buying a us partner good sees the chosen
colour in its language on the product page, in the cart (in Chinese and in English), the quote and
the order, at desktop and phone width. Screenshots land in test-artifacts/."""

import pytest
from django.core.cache import cache

from catalog import taxonomy
from catalog.models import Category
from payments.models import Order
from tests.browser.test_checkout import no_sideways_scroll, on_a_phone_too, serve_partner_images
from tests.browser.test_merchant_import import log_in
from tests.catalog.factories import make_merchant, make_user
from tests.payments.paying_factories import set_up_cn
from tests.payments.shop_factories import VALID_ID, partner_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_IMAGES = "http://us.partner.invalid/media/"
TITLE_ZH, TITLE_EN = "美国户外保温水壶 750毫升", "Insulated steel bottle 750 ml"


@pytest.fixture(autouse=True)
def shared_taxonomy():
    taxonomy.load_rows(Category, taxonomy.read_rows())


@pytest.fixture
def listing(settings, live_server):
    set_up_cn(settings)
    settings.PLATFORM_BASE_URL = live_server.url
    cache.clear()
    return partner_listing(
        texts={
            "zh-hans": {"title": TITLE_ZH, "description": "双层不锈钢。"},
            "en": {"title": TITLE_EN, "description": ""},
        },
        images=[f"{PARTNER_IMAGES}bottle.png"],
        merchant_names={"en": "Trailhead Outfitters", "zh-hans": "步道户外"},
        variants=[
            {"sku": "US-BTL-SAND", "attributes": {"colour": {"en": "Sand"}}, "is_active": True},
            {
                "sku": "US-BTL-BLUE",
                "attributes": {"colour": {"en": "Haze Blue", "zh-hans": "雾霾蓝"}},
                "is_active": True,
            },
        ],
        direct_stock=5,
    )


def test_a_partner_goods_chosen_colour_shows_in_the_shoppers_language_from_the_page_to_the_order(
    live_server, page, shot, listing
):
    serve_partner_images(page)
    page.goto(f"{live_server.url}/zone/us/p/{listing.reference}/")
    assert "步道户外" in page.locator(".sold-by").inner_text()
    options = page.locator("#add-sku option")
    assert [options.nth(i).inner_text() for i in range(options.count())] == ["Sand", "雾霾蓝"]
    page.select_option("#add-sku", "US-BTL-BLUE")
    shot(page, "texts-1-zone-product-zh")
    with page.expect_navigation():
        page.locator("form.add-to-cart button").click()

    line = page.locator(".cart-lines tbody tr").first
    assert f"{TITLE_ZH} (雾霾蓝)" in line.inner_text()
    no_sideways_scroll(page)
    shot(page, "texts-2-cart-zh")
    on_a_phone_too(page, shot, "texts-2-cart-zh-phone")
    page.goto(f"{live_server.url}/en/cart/")
    assert f"{TITLE_EN} (Haze Blue)" in page.locator(".cart-lines tbody tr").first.inner_text()
    shot(page, "texts-3-cart-en")
    on_a_phone_too(page, shot, "texts-3-cart-en-phone")

    page.goto(f"{live_server.url}/cart/")
    with page.expect_navigation():
        page.locator("a.button.primary").click()
    page.fill("#f-name", "李伟")
    page.select_option("#f-country_area", "上海市")
    page.fill("#f-address", "浦东新区世纪大道 88 号")
    page.fill("#f-city", "上海")
    page.fill("#f-postcode", "200120")
    page.fill("#f-email", "li.wei@example.com")
    page.fill("#f-phone", "13800138000")
    page.fill("#f-buyer_name", "李伟")
    page.fill("#f-buyer_id_number", VALID_ID)
    with page.expect_navigation():
        page.locator(".checkout-form button[type=submit]").click()
    assert f"{TITLE_ZH} (雾霾蓝)" in page.locator(".quote-lines tbody tr").first.inner_text()
    shot(page, "texts-4-quote-zh")
    on_a_phone_too(page, shot, "texts-4-quote-zh-phone")

    with page.expect_navigation():
        page.locator("form[action$='/place/'] button[type=submit]").click()
    order = Order.objects.get()
    assert order.lines.get().title == f"{TITLE_ZH} (雾霾蓝)"
    page.goto(f"{live_server.url}/orders/{order.token}/")
    assert f"{TITLE_ZH} (雾霾蓝)" in page.locator(".quote-lines tbody tr").first.inner_text()
    no_sideways_scroll(page)
    shot(page, "texts-5-order-zh")
    on_a_phone_too(page, shot, "texts-5-order-zh-phone")
    page.goto(f"{live_server.url}/en/orders/{order.token}/")
    shot(page, "texts-6-order-en")


@pytest.mark.parametrize(
    ("language", "typed", "shown"), [("en", "shampoo", "Shampoo & Conditioner"), ("zh-hans", "洗发", "洗发护发")]
)
def test_a_merchant_picks_a_category_by_searching_the_taxonomy_in_its_language(
    live_server, page, shot, language, typed, shown
):
    user = make_user(f"picker-{language}")
    make_merchant(name="Panda Baby", users=[user])
    prefix = "/en" if language == "en" else ""
    log_in(page, live_server, user, path=f"{prefix}/merchant/products/new/")
    page.goto(f"{live_server.url}{prefix}/merchant/products/new/")

    search = page.locator(".category-search")
    search.fill(typed)
    first = page.locator(".category-matches [role=option]").first
    first.wait_for()
    assert shown in first.inner_text()
    shot(page, f"texts-7-category-picker-{language}")
    search.press("ArrowDown")
    search.press("Enter")
    assert page.locator("input[name=category]").input_value() == "2441"
    assert shown in page.locator("[data-category-path]").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    search.fill(typed)
    first.wait_for()
    shot(page, f"texts-8-category-picker-{language}-phone")
