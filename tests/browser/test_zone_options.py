"""A partner good with options on the zone product page, in a real browser, in Chinese and in
English, at a desktop's and a phone's size: the quantity field's cap follows the chosen option's
units left (its consignment level here, as the cart counts them), a sold-out option cannot be
chosen, and the header's links are thumb-sized on a phone. Screenshots land in test-artifacts/."""

import pytest

from tests.logistics.factories import make_level
from tests.payments.shop_factories import partner_listing, set_up_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PREFIX = {"zh-hans": "", "en": "/en"}


@pytest.fixture
def tent(settings):
    warehouse = set_up_shop(settings)
    listing = partner_listing(
        direct_stock=0,
        texts={"zh-hans": {"title": "双人帐篷"}, "en": {"title": "Two-person tent"}},
        variants=[
            {"sku": "TENT-RED", "attributes": {"colour": "red"}, "is_active": True},
            {"sku": "TENT-BLUE", "attributes": {"colour": "blue"}, "is_active": True},
            {"sku": "TENT-GREEN", "attributes": {"colour": "green"}, "is_active": True},
        ],
    )
    partner = listing.partnership.partner
    make_level(warehouse=warehouse, sku="TENT-BLUE", owner=partner, on_hand=2)
    make_level(warehouse=warehouse, sku="TENT-GREEN", owner=partner, on_hand=7)
    return listing


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_quantity_cap_follows_the_chosen_option(live_server, browser, shot, tent, language, size):
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.goto(f"{live_server.url}{PREFIX[language]}/zone/us/p/{tent.reference}/")
    quantity = page.locator("form.add-to-cart input[name=quantity]")
    option = page.locator("form.add-to-cart select[name=sku]")

    assert option.input_value() == "TENT-BLUE" and quantity.get_attribute("max") == "2"
    assert page.locator("option[value=TENT-RED]").is_disabled()
    quantity.fill("2")
    option.select_option("TENT-GREEN")
    assert quantity.get_attribute("max") == "7" and quantity.input_value() == "2"
    quantity.fill("6")
    option.select_option("TENT-BLUE")
    assert quantity.get_attribute("max") == "2" and quantity.input_value() == "2"  # lowered to the cap
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    if size == "phone":
        for link in page.locator(".site-header .shopper-links a, .site-header .language a").all():
            box = link.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, link.inner_text()
    shot(page, f"zone-options-{language}-{size}")
    context.close()
