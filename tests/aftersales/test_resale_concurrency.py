"""Fifty shoppers at once for the last two graded units: exactly two orders, the graded level never
below zero, the new stock untouched. Real threads, each with its own PostgreSQL connection."""

import pytest

from logistics.models import StockLevel
from logistics.services import stock
from payments.models import Order
from payments.shop.services import cart as carts
from tests.payments.shop_factories import own_variant, session_key, set_up_shop
from tests.payments.test_checkout_concurrency import buy_all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_shoppers_for_the_last_two_graded_units_get_exactly_two_orders(db, settings):
    warehouse = set_up_shop(settings)
    variant = own_variant(warehouse, stock=5)
    for n in range(2):
        stock.put_back_returned(warehouse=warehouse, sku=variant.sku, variant=variant, grade="good", reference=f"r{n}")
    cart_list = []
    for _ in range(50):
        line = carts.add_to_cart(session_key=session_key(), sku=variant.sku, grade="good", quantity=1)
        cart_list.append(line.cart)

    results = buy_all_at_once(cart_list)

    assert results.count("ordered") == 2
    assert set(results) == {"ordered", "insufficient_stock"}
    graded = StockLevel.objects.get(sku=variant.sku, grade="good")
    new = StockLevel.objects.get(sku=variant.sku, grade="")
    assert (graded.on_hand, graded.reserved, new.on_hand, new.reserved) == (2, 2, 5, 0)
    assert set(Order.objects.values_list("lines__grade", flat=True)) == {"good"}
