"""Graded offers in a real browser: a us partner's returned unit resold in its zone on the cn
storefront, and one of our own returned units on our product page, each marked with its grade
and discounted by it, in Chinese and English, on a desktop and at 390 px; the partner's graded
unit goes into the cart marked as a returned item. Screenshots land in test-artifacts/."""

import pytest
from django.core.cache import cache

from crossborder.grades import graded_price
from logistics.services import stock
from partner_zone.models import PartnerListing
from partner_zone.services import pricing
from tests.catalog.factories import make_merchant, make_product
from tests.logistics.factories import make_level
from tests.payments.shop_factories import partner_listing, set_up_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWN_TITLE = {"zh-hans": "婴儿奶瓶宽口径 240毫升", "en": "Wide-neck baby bottle 240 ml"}
PARTNER_TITLE = {"zh-hans": "美国进口户外保温水壶 750毫升", "en": "Insulated steel bottle 750 ml"}


@pytest.fixture
def shop(settings, live_server):
    """cn: our product with new and like-new units; a us listing with new consignment units, two
    like-new returned units and one good one (put back by the stock service, as disposition does)."""
    warehouse = set_up_shop(settings)
    cache.clear()
    product = make_product(make_merchant("Harbour Baby Co."), titles=OWN_TITLE, price="129.00", stock=0)
    variant = product.variants.get()
    make_level(warehouse=warehouse, sku=variant.sku, on_hand=5, variant=variant)
    stock.put_back_returned(warehouse=warehouse, sku=variant.sku, variant=variant, grade="like_new", reference="r1")
    listing = partner_listing(
        texts={
            "zh-hans": {"title": PARTNER_TITLE["zh-hans"], "description": "双层不锈钢,保冷 24 小时。"},
            "en": {"title": PARTNER_TITLE["en"], "description": "Keeps cold for 24 hours."},
        },
        direct_stock=5,
    )
    partner, sku = listing.partnership.partner, listing.variants[0]["sku"]
    make_level(warehouse=warehouse, sku=sku, owner=partner, on_hand=3)
    PartnerListing.objects.filter(pk=listing.pk).update(local_stock=3, ships_from="local")
    listing = pricing.price_listing(PartnerListing.objects.get(pk=listing.pk))
    for n, grade in enumerate(("like_new", "like_new", "good")):
        stock.put_back_returned(warehouse=warehouse, sku=sku, owner=partner, grade=grade, reference=f"p{n}")
    return {"product": product, "listing": listing}


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width}px)"


def both_widths(page, shot, name):
    no_sideways_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, name)
    desktop = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    offer = page.locator(".graded-offer").first.bounding_box()
    assert offer["x"] >= 0 and offer["x"] + offer["width"] <= 390
    shot(page, f"{name}-phone")
    page.set_viewport_size(desktop)


@pytest.mark.parametrize(("language", "prefix"), [("zh-hans", ""), ("en", "/en")])
def test_graded_offers_on_the_zone_listing_and_our_product_page(live_server, page, shot, shop, language, prefix):
    listing, product = shop["listing"], shop["product"]
    page.goto(f"{live_server.url}{prefix}/zone/us/p/{listing.reference}/")
    assert page.locator("h1").inner_text() == PARTNER_TITLE[language]
    offers = page.locator(".graded-offer")
    assert [offers.nth(i).get_attribute("data-grade") for i in range(offers.count())] == ["like_new", "good"]
    like_new = offers.nth(0)
    expected = pricing.round_price(graded_price(listing.list_price, 15))  # rounded like every zone price
    assert like_new.locator("[data-price]").get_attribute("data-price") == str(expected.amount)
    words = {"zh-hans": ("几乎全新", "2"), "en": ("like new", "2")}[language]
    assert words[0] in like_new.inner_text().lower() and words[1] in like_new.locator(".graded-units").inner_text()
    both_widths(page, shot, f"graded-1-zone-{language}")

    page.goto(f"{live_server.url}{prefix}/p/{product.reference}/")
    own = page.locator(".graded-offer")
    assert own.count() == 1 and own.get_attribute("data-grade") == "like_new"
    assert own.locator("[data-price]").get_attribute("data-price") == "109.65"  # 129.00 less 15 %
    assert "129" in own.locator(".list-price").inner_text()
    both_widths(page, shot, f"graded-2-own-{language}")

    page.goto(f"{live_server.url}{prefix}/zone/us/p/{listing.reference}/")
    with page.expect_navigation():
        page.locator('.graded-offer[data-grade="good"] button').click()
    row = page.locator(".cart-lines tbody tr")
    assert row.count() == 1
    returned = {"zh-hans": "退货", "en": "returned"}[language]
    assert returned in row.inner_text()
    no_sideways_scroll(page)
    shot(page, f"graded-3-cart-{language}")
