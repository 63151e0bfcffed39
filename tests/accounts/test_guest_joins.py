"""A guest's cart, history and orders join the account at sign-in; orders only by an e-mail address
or phone number proved to be the shopper's."""

import pytest
from django.test import Client

from partner_zone.models import ShopperEvent
from partner_zone.services import recommendations
from payments.shop.models import Cart
from payments.shop.views import CART_KEY
from tests.payments.shop_factories import cart_with, own_variant, set_up_shop

from .factories import guest_order, shopper
from .helpers import PASSWORD, enter_code, last_code, mails_to, sign_up_by_email, sign_up_by_phone, verify_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(settings):
    return set_up_shop(settings)


def test_guest_orders_join_once_the_email_they_were_placed_with_is_verified(client, email_first, warehouse):
    order = guest_order(warehouse, email="Ana@Example.com")
    other = guest_order(warehouse, email="someone.else@example.com", phone="+86 139 0000 0000")
    sign_up_by_email(client, "ana@example.com")
    order.refresh_from_db()
    assert order.user is None  # not yet: the address is not proved
    verify_email(client, mails_to("ana@example.com")[-1])
    order.refresh_from_db()
    other.refresh_from_db()
    assert order.user is not None and order.user.email == "ana@example.com"
    assert other.user is None
    page = client.get("/en/account/orders/").content.decode()
    assert f"Order {order.number}" in page and f"Order {other.number}" not in page


def test_guest_orders_join_by_the_verified_phone_however_it_was_typed(client, warehouse):
    spaced = guest_order(warehouse, email="x@example.com", phone="+86 138 0013 8000")
    plain = guest_order(warehouse, email="y@example.com", phone="13800138000")
    not_mine = guest_order(warehouse, email="z@example.com", phone="13800138009")
    sign_up_by_phone(client, "138-0013-8000")
    for order in (spaced, plain):
        order.refresh_from_db()
        assert order.user is None  # the code is not entered yet
    enter_code(client, last_code())
    for order in (spaced, plain, not_mine):
        order.refresh_from_db()
    assert spaced.user is not None and plain.user == spaced.user
    assert not_mine.user is None


def test_an_unverified_email_joins_nothing(client, warehouse):
    order = guest_order(warehouse, email="kim@example.com", phone="13900139000")
    sign_up_by_phone(client, "13800138011", email="kim@example.com")  # China: e-mail optional, not verified
    enter_code(client, last_code())
    order.refresh_from_db()
    assert order.user is None


def test_the_guest_cart_and_history_join_the_account_at_sign_in(warehouse, email_first):
    user = shopper("lee@example.com")
    variant = own_variant(warehouse, stock=5)
    browser = Client()
    browser.get("/en/")
    guest_cart = cart_with((variant, 2), key="guest-cart-key")
    session = browser.session
    session[CART_KEY] = "guest-cart-key"
    session[recommendations.HISTORY_SESSION_KEY] = "guest-history"
    session.save()
    ShopperEvent.objects.create(kind=ShopperEvent.Kind.SEARCH, session_key="guest-history", query="tent")
    response = browser.post("/en/account/login/", {"login": "lee@example.com", "password": PASSWORD})
    assert response.status_code == 302
    own = Cart.objects.get(user=user, status=Cart.Status.OPEN)
    assert [(line.sku, line.quantity) for line in own.lines.all()] == [(variant.sku, 2)]
    guest_cart.refresh_from_db()
    assert guest_cart.status == Cart.Status.MERGED
    assert ShopperEvent.objects.get(query="tent").user == user
