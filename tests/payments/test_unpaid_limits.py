"""Nobody can take a product off the shelves by ordering and never paying: the shop API limits how
often one client places orders (429 with Retry-After), and both checkout paths limit the unpaid
orders and the units of one SKU one shopper (IP address, account, e-mail or phone) may hold."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from psycopg2 import errors as pg

from crossborder import db
from crossborder.errors import DomainError
from logistics.models import Reservation, StockLevel
from payments.models import Checkout, Order
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.payments import shop_factories

from .shop_factories import CONTACT, RECIPIENT, cart_with, own_variant, set_up_shop

pytestmark = pytest.mark.django_db
URL = "/api/shop/v1/orders/"
HOME = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def order_body(variant, *, quantity=1, n=0):
    """An order of `quantity` units (99.00 each plus 10.00 shipping) from shopper n's own contact."""
    return {
        "items": [{"sku": variant.sku, "quantity": quantity}],
        "recipient": RECIPIENT,
        "email": f"shopper{n}@example.com",
        "phone": f"1380013{n:04d}",
        "expected_total": f"{99 * quantity + 10}.00",
    }


def post_order(client, variant, *, ip=HOME, **body):
    return client.post(URL, order_body(variant, **body), content_type="application/json", REMOTE_ADDR=ip)


def held(variant):
    return StockLevel.objects.get(sku=variant.sku).reserved


# --- the request rate ----------------------------------------------------------------------------


def test_the_21st_order_in_an_hour_from_one_client_gets_429_with_retry_after(client, shop, settings):
    assert settings.SHOP_API_RATES["order"] == "20/hour"  # the production default
    settings.SHOP_LIMITS = {"MAX_UNPAID_ORDERS": 100, "MAX_UNPAID_UNITS_PER_SKU": 100}
    variant = own_variant(shop, stock=50, price="99.00")
    for n in range(20):
        assert post_order(client, variant, n=n).status_code == 201

    refused = post_order(client, variant, n=20)

    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled" and "20/hour" in refused.json()["detail"]
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    assert Order.objects.count() == 20 and held(variant) == 20  # nothing written
    assert post_order(client, variant, ip=ELSEWHERE, n=21).status_code == 201  # another client still can


def test_reading_orders_has_its_own_laxer_rate(client, shop, settings):
    settings.SHOP_API_RATES = {**settings.SHOP_API_RATES, "read": "3/minute"}
    variant = own_variant(shop, stock=5, price="99.00")
    token = post_order(client, variant).json()["token"]
    answers = [client.get(f"{URL}{token}/", REMOTE_ADDR=HOME).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert post_order(client, variant, n=1).status_code == 201  # reads do not use up the order rate


# --- unpaid orders per shopper -------------------------------------------------------------------


def test_a_client_holding_the_most_unpaid_orders_is_refused_naming_the_rule_while_another_can_buy(
    client, shop, settings
):
    settings.LANGUAGE_CODE = "en"  # the platform speaks English here: the test reads its messages
    assert settings.SHOP_LIMITS["MAX_UNPAID_ORDERS"] == 5  # the default
    variant = own_variant(shop, stock=20, price="99.00")
    for n in range(5):  # a new e-mail and phone each time: the address still knows them
        assert post_order(client, variant, n=n).status_code == 201

    refused = post_order(client, variant, n=5)

    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_unpaid_orders"
    assert "at most 5" in refused.json()["detail"]
    assert Order.objects.count() == Checkout.objects.count() == 5 and held(variant) == 5  # nothing written
    assert post_order(client, variant, ip=ELSEWHERE, n=6).status_code == 201


def test_the_same_email_from_another_address_is_the_same_shopper(client, shop):
    variant = own_variant(shop, stock=30, price="99.00")
    for _ in range(5):
        assert post_order(client, variant, n=0, ip=f"192.0.2.{_ + 1}").status_code == 201
    refused = post_order(client, variant, n=0, ip=ELSEWHERE)
    assert (refused.status_code, refused.json()["code"]) == (429, "too_many_unpaid_orders")


def test_units_of_one_sku_held_unpaid_are_limited_per_shopper(client, shop, settings):
    settings.LANGUAGE_CODE = "en"  # the platform speaks English here: the test reads its messages
    assert settings.SHOP_LIMITS["MAX_UNPAID_UNITS_PER_SKU"] == 20  # the default
    variant, other = own_variant(shop, stock=50, price="99.00"), own_variant(shop, stock=50, price="99.00")
    assert post_order(client, variant, quantity=15).status_code == 201

    refused = post_order(client, variant, quantity=6, n=1)

    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_unpaid_units" and refused.json()["field"] == "lines"
    assert "At most 20 units" in refused.json()["detail"]
    assert held(variant) == 15 and Order.objects.count() == 1
    assert post_order(client, variant, quantity=5, n=1).status_code == 201  # up to the limit
    assert post_order(client, other, quantity=6, n=2).status_code == 201  # another SKU
    assert post_order(client, variant, quantity=6, ip=ELSEWHERE, n=3).status_code == 201  # another shopper


def test_paying_frees_the_shoppers_limit(client, shop):
    variant = own_variant(shop, stock=20, price="99.00")
    for n in range(5):
        assert post_order(client, variant, n=n).status_code == 201
    assert post_order(client, variant, n=5).status_code == 429

    first = Order.objects.order_by("pk").first()
    orders.mark_paid(order=first, payment_reference="pay-1", amount=first.total)

    assert post_order(client, variant, n=5).status_code == 201


def test_expiry_frees_the_shoppers_limit(client, shop):
    variant = own_variant(shop, stock=20, price="99.00")
    for n in range(5):
        assert post_order(client, variant, n=n).status_code == 201
    assert post_order(client, variant, n=5).status_code == 429

    checkouts.expire_checkouts(now=timezone.now() + dt.timedelta(hours=1))

    assert Order.objects.filter(status=Order.Status.EXPIRED).count() == 5
    assert post_order(client, variant, n=5).status_code == 201


def test_open_quotes_at_the_storefront_count_and_its_checkout_page_refuses_too(client, shop):
    """The storefront is no way around the limit: its quotes hold stock too, and its page refuses."""
    variant = own_variant(shop, stock=20, price="99.00")
    for n in range(5):  # five carts from the same address, each with its open quote
        shop_factories.start_checkout(
            cart=cart_with((variant, 1)), **{**CONTACT, "email": f"s{n}@example.com"}, client_ip=HOME
        )
    client.post(reverse("payments:cart_add"), {"sku": variant.sku, "quantity": "1"}, REMOTE_ADDR=HOME)
    form = {
        "name": "Li Wei",
        "address": "88 Century Avenue",
        "country_area": "上海市",
        "city": "Shanghai",
        "postcode": "200120",
        "phone": "13800139999",
    }

    refused = client.post(reverse("payments:checkout"), {**form, "email": "new@example.com"}, REMOTE_ADDR=HOME)

    assert refused.status_code == 429
    assert "at most 5" in refused.content.decode()
    assert Checkout.objects.count() == 5 and held(variant) == 5
    elsewhere = client.post(reverse("payments:checkout"), {**form, "email": "new@example.com"}, REMOTE_ADDR=ELSEWHERE)
    assert elsewhere.status_code == 302


def test_a_new_quote_of_the_same_cart_replaces_the_old_one_and_is_not_counted_twice(shop):
    variant = own_variant(shop, stock=30, price="99.00")
    cart = cart_with((variant, 4))
    for _ in range(7):  # more than the limit of unpaid orders, all for one cart
        shop_factories.start_checkout(cart=cart, **CONTACT, client_ip=HOME)
    assert Checkout.objects.filter(status=Checkout.Status.OPEN).count() == 1 and held(variant) == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_shoppers_orders_at_once_cannot_pass_the_limit_together(shop):
    """Fifty orders of one shopper at the same moment: each waits for the one before, so exactly
    the limit are placed."""
    variant = own_variant(shop, stock=50, price="99.00")
    barrier = threading.Barrier(20)

    def buy(n):
        try:
            barrier.wait(timeout=30)
            shop_factories.order_now(
                items=[{"sku": variant.sku, "quantity": 1}],
                expected_total="109.00",
                client_ip=HOME,
                **{**CONTACT, "email": f"s{n}@example.com", "phone": f"1380013{n:04d}"},
            )
            return "ordered"
        except DomainError as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(buy, range(20)))

    assert results.count("ordered") == 5
    assert set(results) == {"ordered", "too_many_unpaid_orders"}
    assert held(variant) == 5 == Reservation.objects.filter(status="active").count()


# --- a lost deadlock is a "busy, try again", never a server error --------------------------------


def always_deadlocked(*args, **kwargs):
    error = OperationalError("deadlock detected")
    error.__cause__ = pg.DeadlockDetected("deadlock detected")
    raise error


@pytest.mark.django_db(transaction=True)
def test_an_order_that_keeps_losing_deadlocks_is_a_503_busy_with_retry_after(client, shop, monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"  # the platform speaks English here: the test reads its messages
    variant = own_variant(shop, stock=5, price="99.00")
    monkeypatch.setattr(db.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(checkouts, "_price", always_deadlocked)

    refused = post_order(client, variant)

    assert refused.status_code == 503
    assert refused.json()["code"] == "busy" and "try again" in refused.json()["detail"]
    assert refused["Retry-After"] == "1"
    assert not Order.objects.exists() and held(variant) == 0


@pytest.mark.django_db(transaction=True)
def test_a_checkout_page_that_keeps_losing_deadlocks_says_busy_not_500(client, shop, monkeypatch):
    variant = own_variant(shop, stock=5, price="99.00")
    client.post(reverse("payments:cart_add"), {"sku": variant.sku, "quantity": "1"})
    monkeypatch.setattr(db.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(checkouts, "_price", always_deadlocked)
    form = {
        "name": "Li Wei",
        "address": "88 Century Avenue",
        "country_area": "上海市",
        "city": "Shanghai",
        "postcode": "200120",
        "phone": "13800138000",
    }

    refused = client.post(reverse("payments:checkout"), {**form, "email": "li@example.com"})

    assert refused.status_code == 503
    assert "try again" in refused.content.decode()
    assert not Checkout.objects.exists()
