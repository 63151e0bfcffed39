"""Stock is told at the button: goods sold out cannot be added to the cart, and more units than are
left are refused when added (or raised in the cart), naming how many are left; nothing is written.
The product pages say "out of stock" and cap the quantity field at the units left. The header of
every storefront page shows the cart's count for one small query."""

import pytest
from django.utils import translation

from crossborder.errors import DomainError
from logistics.services import stock
from payments.models import CartLine
from payments.shop.services import cart as carts
from tests.catalog.factories import make_product
from tests.logistics.factories import make_level

from .shop_factories import cart_with, own_variant, partner_listing, session_key, set_up_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def test_more_of_our_goods_than_are_left_is_refused_naming_the_units_left_and_nothing_is_written(shop):
    variant = own_variant(shop, stock=5)

    with translation.override("en"), pytest.raises(DomainError) as refused:
        carts.add_to_cart(session_key=session_key(), sku=variant.sku, quantity=20)

    assert refused.value.code == "insufficient_stock" and refused.value.field == "quantity"
    assert refused.value.status == 409
    assert "Only 5 of " in refused.value.detail
    assert not CartLine.objects.exists()


def test_sold_out_goods_cannot_be_added(shop):
    variant = own_variant(shop, stock=0)

    with translation.override("en"), pytest.raises(DomainError) as refused:
        carts.add_to_cart(session_key=session_key(), sku=variant.sku, quantity=1)

    assert refused.value.detail.endswith("is sold out.")
    assert not CartLine.objects.exists()


def test_units_already_in_the_cart_count_against_what_is_left(shop):
    variant = own_variant(shop, stock=5)
    key = session_key()
    carts.add_to_cart(session_key=key, sku=variant.sku, quantity=3)

    with translation.override("en"), pytest.raises(DomainError) as refused:
        carts.add_to_cart(session_key=key, sku=variant.sku, quantity=3)

    assert "Only 5 of" in refused.value.detail and "holds 3 of them already" in refused.value.detail
    assert CartLine.objects.get().quantity == 3
    assert carts.add_to_cart(session_key=key, sku=variant.sku, quantity=2).quantity == 5


def test_raising_a_cart_line_past_the_units_left_is_refused_and_lowering_it_is_not(shop):
    variant = own_variant(shop, stock=4)
    key = session_key()
    line = carts.add_to_cart(session_key=key, sku=variant.sku, quantity=2)

    with pytest.raises(DomainError) as refused:
        carts.change_cart_line(session_key=key, line_id=line.pk, quantity=9)
    assert refused.value.code == "insufficient_stock"
    assert CartLine.objects.get().quantity == 2
    assert carts.change_cart_line(session_key=key, line_id=line.pk, quantity=1).quantity == 1


def test_a_partner_listing_is_limited_by_its_direct_stock_or_its_consignment_here(shop):
    direct = partner_listing(direct_stock=3)
    with pytest.raises(DomainError):
        carts.add_to_cart(session_key=session_key(), listing_id=direct.pk, quantity=4)
    assert carts.add_to_cart(session_key=session_key(), listing_id=direct.pk, quantity=3).quantity == 3

    consigned = partner_listing(direct_stock=0)
    make_level(warehouse=shop, sku=consigned.variants[0]["sku"], owner=consigned.partnership.partner, on_hand=6)
    with pytest.raises(DomainError):
        carts.add_to_cart(session_key=session_key(), listing_id=consigned.pk, quantity=7)
    assert carts.add_to_cart(session_key=session_key(), listing_id=consigned.pk, quantity=6).quantity == 6


def test_the_add_to_cart_post_refuses_with_the_units_left_in_the_shoppers_language(client, shop):
    variant = own_variant(shop, stock=5)

    response = client.post("/en/cart/add/", {"sku": variant.sku, "quantity": "20"})

    assert response.status_code == 409
    assert "Only 5 of " in response.content.decode()
    assert not CartLine.objects.exists()


def test_the_product_page_caps_the_quantity_at_the_units_left_and_says_out_of_stock(client, shop):
    product = make_product(price="99.00", stock=3)
    sold_out = make_product(price="99.00", stock=0)

    page = client.get(f"/en/p/{product.reference}/").content.decode()
    assert 'name="quantity" type="number" min="1" max="3"' in page

    page = client.get(f"/en/p/{sold_out.reference}/").content.decode()
    assert '<form class="add-to-cart"' not in page
    assert "disabled" in page and "Out of stock" in page


def test_the_zone_product_page_says_out_of_stock_when_the_partner_has_none(client, shop):
    listing = partner_listing(direct_stock=0)

    html = client.get(f"/en/zone/us/p/{listing.reference}/").content.decode()
    assert 'data-units-left="0"' in html and "Out of stock" in html
    assert '<form class="add-to-cart"' not in html

    listing.direct_stock = 2
    listing.save(update_fields=["direct_stock"])
    html = client.get(f"/en/zone/us/p/{listing.reference}/").content.decode()
    assert 'type="number" min="1" max="2"' in html


def test_the_zone_product_page_caps_the_quantity_per_option_as_the_cart_does(client, shop):
    """Each option carries its own units left (its consignment level here or the direct-sale stock,
    as the cart counts them): the box chooses the first option with units, caps the quantity at its
    figure, and offers a sold-out option disabled with the words "out of stock"."""
    listing = partner_listing(
        direct_stock=0,
        variants=[
            {"sku": "TENT-RED", "attributes": {"colour": "red"}, "is_active": True},
            {"sku": "TENT-BLUE", "attributes": {"colour": "blue"}, "is_active": True},
            {"sku": "TENT-GREEN", "attributes": {"colour": "green"}, "is_active": True},
        ],
    )
    partner = listing.partnership.partner
    make_level(warehouse=shop, sku="TENT-BLUE", owner=partner, on_hand=2)
    make_level(warehouse=shop, sku="TENT-GREEN", owner=partner, on_hand=7)

    html = client.get(f"/en/zone/us/p/{listing.reference}/").content.decode()

    assert '<option value="TENT-RED" data-units-left="0" disabled>' in html
    assert '<option value="TENT-BLUE" data-units-left="2" selected>' in html
    assert '<option value="TENT-GREEN" data-units-left="7">' in html
    assert 'type="number" min="1" max="2" data-max-quantity="99"' in html
    assert "data-quantity-limit" in html
    with pytest.raises(DomainError):
        carts.add_to_cart(session_key=session_key(), listing_id=listing.pk, sku="TENT-BLUE", quantity=3)
    assert carts.add_to_cart(session_key=session_key(), listing_id=listing.pk, sku="TENT-GREEN", quantity=7)


def test_the_header_shows_the_carts_count_for_one_query(client, shop, django_assert_num_queries):
    variant = own_variant(shop, stock=9)
    client.post("/cart/add/", {"sku": variant.sku, "quantity": "2"})
    client.post("/cart/add/", {"listing": partner_listing().pk, "quantity": "3"})
    request = client.get("/cart/").wsgi_request
    from payments.shop.context_processors import HeaderCart

    with django_assert_num_queries(1):
        assert HeaderCart(request).count == 5

    page = client.get("/").content.decode()
    assert 'class="header-cart"' in page and 'data-count="5"' in page


def test_a_cached_category_page_shows_each_visitor_their_own_cart(client, shop, django_assert_max_num_queries):
    from django.test import Client

    variant = own_variant(shop, stock=9)
    category_url = f"/c/{variant.product.category_id}/"
    client.post("/cart/add/", {"sku": variant.sku, "quantity": "4"})
    assert 'data-count="4"' in client.get(category_url).content.decode()  # rendered and cached

    stranger = Client()
    with django_assert_max_num_queries(12):
        page = stranger.get(category_url).content.decode()
    assert 'data-count="0"' in page and "shopper&#x27;s header" not in page and "<!-- shopper" not in page
    cart_with((variant, 1))
    assert 'data-count="4"' in client.get(category_url).content.decode()


def test_after_a_strangers_visit_a_shopper_with_a_cart_or_signed_in_still_gets_their_own_header(client, shop):
    """The header of a visitor with nothing in their session is rendered once per language and
    reused (crossborder.pages): it must never reach a visitor who has a cart or is signed in."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    variant = own_variant(shop, stock=9)
    category_url = f"/c/{variant.product.category_id}/"
    for _ in range(2):
        page = Client().get(category_url).content.decode()
        assert 'data-count="0"' in page and "data-sign-in" in page and "<!-- shopper" not in page

    client.post("/cart/add/", {"sku": variant.sku, "quantity": "2"})
    assert 'data-count="2"' in client.get(category_url).content.decode()
    signed_in = Client()
    signed_in.force_login(get_user_model().objects.create_user(username="mei@example.com", email="mei@example.com"))
    page = signed_in.get(category_url).content.decode()
    assert "data-account-name" in page and "data-sign-out" in page and "data-sign-in" not in page
    assert "data-sign-in" in Client().get(category_url).content.decode()


def test_the_stock_figure_read_is_the_stock_services(shop):
    variant = own_variant(shop, stock=2)
    level = stock.stock_level(warehouse=shop, sku=variant.sku, variant=variant)
    stock.receive(level, 3, reference="more-came-in")

    assert carts.add_to_cart(session_key=session_key(), sku=variant.sku, quantity=5).quantity == 5
