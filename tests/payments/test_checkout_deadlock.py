"""Shoppers whose first orders of the same never-sold own products list them in opposite order:
the products' warehouse rows are locked in one global order (and the catalog's available figures
after them), so they queue instead of deadlocking, and nobody sees a server error. Real threads,
each with its own PostgreSQL connection (DESIGN.md section 6)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from crossborder.errors import DomainError
from logistics.models import Reservation, StockLevel
from payments.models import Order
from payments.shop.services import checkout as checkouts
from tests.catalog.factories import make_product
from tests.payments import shop_factories

from .shop_factories import BUYER, RECIPIENT, cart_with, partner_listing, set_up_shop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 6
PRODUCTS = 4
SHOPPERS = 4
UNITS = 3


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def contact(shopper):
    """Each shopper their own: one shopper's unpaid orders are limited (unpaid_limits)."""
    return {"recipient": RECIPIENT, "email": f"shopper{shopper}@example.com", "phone": f"1390013{shopper:04d}"}


def never_sold_variants(count, *, stock):
    """Own products whose merchant stated `stock` units, never sold. The statement is counted in
    the warehouse at once (ADR 0011): there is no catalog count left for a checkout to bring in,
    which is what these tests first guarded."""
    variants = [make_product(price="10.00", stock=stock).variants.get() for _ in range(count)]
    on_hand = StockLevel.objects.filter(sku__in=[v.sku for v in variants]).values_list("on_hand", flat=True)
    assert list(on_hand) == [stock] * count
    return variants


def orders_of(variants, shopper):
    """Shopper n lists the products rotated and, for odd n, reversed: every pair of shoppers meets
    some pair of products in opposite order."""
    turned = variants[shopper:] + variants[:shopper]
    return turned[::-1] if shopper % 2 else turned


def collide(shoppers, buy):
    barrier = threading.Barrier(len(shoppers))

    def run(shopper):
        try:
            barrier.wait(timeout=30)
            buy(shopper)
            return "ordered"
        except DomainError as refused:
            return refused.code
        except Exception as error:  # a deadlock or anything else that would be a 500
            return f"error: {error!r}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(shoppers)) as pool:
        return list(pool.map(run, shoppers))


def assert_stock_right(variants, results):
    ordered = results.count("ordered")
    for variant in variants:
        level = StockLevel.objects.get(sku=variant.sku, owner__isnull=True)
        assert level.on_hand == UNITS  # the merchant's statement, counted once
        assert level.reserved == ordered <= UNITS
    held = Reservation.objects.filter(status="active", stock__sku__in=[v.sku for v in variants])
    assert held.count() == ordered * len(variants)


def no_conflict_was_retried(caplog):
    """The rows are taken in one order, so no transaction even lost a deadlock to be run again."""
    return not [record for record in caplog.records if "lost a database conflict" in record.getMessage()]


def test_opposite_first_orders_of_never_sold_products_at_checkout_never_deadlock(shop, caplog):
    for turn in range(ROUNDS):
        variants = never_sold_variants(PRODUCTS, stock=UNITS)
        carts = {n: cart_with(*((v, 1) for v in orders_of(variants, n))) for n in range(SHOPPERS)}

        def buy(shopper, carts=carts, turn=turn):
            checkout = shop_factories.start_checkout(cart=carts[shopper], **contact(turn * 100 + shopper))
            checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))

        results = collide(range(SHOPPERS), buy)

        assert set(results) <= {"ordered", "insufficient_stock"}, results
        assert results.count("ordered") == UNITS
        assert_stock_right(variants, results)
    assert no_conflict_was_retried(caplog)


def test_opposite_first_orders_of_never_sold_products_through_the_shop_api_never_deadlock(shop, caplog):
    for turn in range(ROUNDS):
        variants = never_sold_variants(PRODUCTS, stock=UNITS)
        before = Order.objects.count()

        def buy(shopper, variants=variants, turn=turn):
            shop_factories.order_now(
                items=[{"sku": v.sku, "quantity": 1} for v in orders_of(variants, shopper)],
                expected_total="50.00",  # 4 x 10 + 10 shipping
                **contact(turn * 100 + shopper),
            )

        results = collide(range(SHOPPERS), buy)

        assert set(results) <= {"ordered", "insufficient_stock"}, results
        assert results.count("ordered") == UNITS == Order.objects.count() - before
        assert_stock_right(variants, results)
    assert no_conflict_was_retried(caplog)


def test_shoppers_checking_out_again_at_once_give_back_and_take_in_one_order(shop, caplog):
    """A new quote gives back the cart's earlier one: its levels and listings are taken in the same
    order as the new lines', whatever order the two baskets list them in."""
    for turn in range(ROUNDS):
        variants = never_sold_variants(2, stock=10)
        listings = [partner_listing(direct_stock=10), partner_listing(direct_stock=10)]
        goods = [*variants, *listings]
        carts = {n: cart_with(*((item, 1) for item in orders_of(goods, n))) for n in range(SHOPPERS)}
        for n, cart in carts.items():
            shop_factories.start_checkout(cart=cart, **contact(turn * 100 + n), **BUYER)

        def again(shopper, carts=carts, turn=turn):
            shop_factories.start_checkout(cart=carts[shopper], **contact(turn * 100 + shopper), **BUYER)

        results = collide(range(SHOPPERS), again)

        assert results == ["ordered"] * SHOPPERS, results
        for variant in variants:
            assert StockLevel.objects.get(sku=variant.sku).reserved == SHOPPERS
        for listing in listings:
            listing.refresh_from_db()
            assert listing.direct_stock == 10 - SHOPPERS
    assert no_conflict_was_retried(caplog)
