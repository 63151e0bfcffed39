"""The cart says of each line what its product page says of the price: a partner's delivered price
with duties included is not followed by "duties are worked out at checkout"."""

import pytest

from .shop_factories import own_variant, partner_listing, set_up_shop

pytestmark = pytest.mark.django_db

INCLUDED = "Delivered price: duties, import taxes and shipping included."
ADDED_LATER = "Shipping included; duties and import taxes are added at checkout."


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def test_a_partner_line_with_duties_included_says_so_as_its_product_page_does(client, shop):
    listing = partner_listing()
    assert listing.price_breakdown["duties_included"] is True
    client.post("/en/cart/add/", {"listing": listing.pk, "quantity": "1"})

    product_page = client.get(f"/en/zone/us/p/{listing.reference}/").content.decode()
    cart = client.get("/en/cart/").content.decode()

    assert INCLUDED in product_page and INCLUDED in cart
    assert "worked out at checkout" not in cart.split('class="estimate"')[1]
    assert "Duties, import taxes and shipping are included in these prices." in cart


def test_a_partner_line_whose_duties_come_later_and_our_own_goods_say_what_is_added(client, shop):
    listing = partner_listing()
    listing.price_breakdown = {**listing.price_breakdown, "duties_included": False}
    listing.save(update_fields=["price_breakdown"])
    client.post("/en/cart/add/", {"listing": listing.pk, "quantity": "1"})
    client.post("/en/cart/add/", {"sku": own_variant(shop).sku, "quantity": "1"})

    cart = client.get("/en/cart/").content.decode()

    assert ADDED_LATER in cart and "Delivery is worked out at checkout." in cart
    assert "Duties, import taxes and shipping are included in these prices." not in cart
    assert "What a price above does not include is shown at checkout, before you pay." in cart
