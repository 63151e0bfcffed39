"""Fifty buyers at once for the last ten units: exactly ten checkouts and orders, stock never below
zero. Real threads, each with its own PostgreSQL connection (DESIGN.md section 6). Each buyer has
their own e-mail and phone: one shopper's orders are limited by payments/shop/services/unpaid_limits.py."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from crossborder.errors import DomainError
from logistics.models import Reservation, StockLevel
from partner_zone.models import PartnerListing
from payments.models import Checkout, Order
from payments.shop.services import checkout as checkouts
from tests.payments import shop_factories

from .shop_factories import BUYER, cart_with, own_variant, partner_listing, set_up_shop


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 50
UNITS = 10


def contact(n):
    return {"email": f"buyer{n}@example.com", "phone": f"1380013{n:04d}"}


def buy_all_at_once(carts, **buyer):
    barrier = threading.Barrier(BUYERS)

    def buy(numbered):
        n, cart = numbered
        try:
            barrier.wait(timeout=30)
            checkout = shop_factories.start_checkout(
                cart=cart,
                recipient={
                    "name": "Li Wei",
                    "address_lines": ["88 Century Avenue"],
                    "country_area": "上海市",
                    "city": "Shanghai",
                    "postcode": "200120",
                    "country": "CN",
                },
                **contact(n),
                **buyer,
            )
            checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
            return "ordered"
        except DomainError as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        return list(pool.map(buy, enumerate(carts)))


def test_fifty_buyers_for_the_last_ten_units_of_own_stock_get_exactly_ten_orders(shop):
    variant = own_variant(shop, stock=UNITS)
    carts = [cart_with((variant, 1)) for _ in range(BUYERS)]

    results = buy_all_at_once(carts)

    assert results.count("ordered") == UNITS
    assert set(results) == {"ordered", "insufficient_stock"}
    level = StockLevel.objects.get(sku=variant.sku)
    assert (level.on_hand, level.reserved) == (UNITS, UNITS)
    assert Order.objects.count() == Checkout.objects.count() == UNITS
    assert Reservation.objects.filter(status="active").count() == UNITS
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()


def test_fifty_buyers_for_the_last_ten_units_shipped_direct_get_exactly_ten_orders(shop):
    listing = partner_listing(direct_stock=UNITS)
    carts = [cart_with((listing, 1)) for _ in range(BUYERS)]

    results = buy_all_at_once(carts, **BUYER)

    assert results.count("ordered") == UNITS
    assert PartnerListing.objects.get(pk=listing.pk).direct_stock == 0
    assert Order.objects.count() == UNITS


def test_fifty_buyers_through_the_shop_api_for_the_last_ten_units_get_exactly_ten_orders(shop):
    variant = own_variant(shop, stock=UNITS)
    barrier = threading.Barrier(BUYERS)

    def buy(n):
        try:
            barrier.wait(timeout=30)
            shop_factories.order_now(
                items=[{"sku": variant.sku, "quantity": 1}],
                recipient={
                    "name": "Li Wei",
                    "address_lines": ["88 Century Avenue"],
                    "country_area": "上海市",
                    "city": "Shanghai",
                    "postcode": "200120",
                    "country": "CN",
                },
                **contact(n),
                expected_total="109.00",
            )
            return "ordered"
        except DomainError as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        results = list(pool.map(buy, range(BUYERS)))

    assert results.count("ordered") == UNITS
    assert set(results) == {"ordered", "insufficient_stock"}
    level = StockLevel.objects.get(sku=variant.sku)
    assert (level.on_hand, level.reserved) == (UNITS, UNITS)
    assert Order.objects.count() == Reservation.objects.filter(status="active").count() == UNITS
