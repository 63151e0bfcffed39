"""Checkout: the quote is locked and paid exactly, expired quotes and wrong totals are refused,
stock is held and given back, partner goods ship from consignment stock or direct."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from crossborder.errors import DomainError
from logistics.models import Reservation, StockLevel
from partner_zone.models import PartnerListing
from partner_zone.services import pricing
from payments.models import Checkout, Order, Payment
from payments.shop.services import checkout as checkouts
from payments.tasks import expire_checkouts
from tests.logistics.factories import make_level
from tests.payments import shop_factories

from .shop_factories import (
    BUYER,
    CONTACT,
    RECIPIENT,
    cart_with,
    checkout_of,
    cny,
    own_variant,
    partner_listing,
    set_up_shop,
)


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


pytestmark = pytest.mark.django_db


def test_the_quote_has_goods_taxes_and_shipping_per_line_and_their_total(shop):
    variant = own_variant(shop, price="99.00")
    listing = partner_listing(export_price="20.00")
    cart = cart_with((variant, 2), (listing, 1))

    checkout = checkout_of(cart, **BUYER)

    own, partner = checkout.lines.order_by("line_number")
    assert (own.goods, own.taxes, own.shipping, own.total) == (cny("198.00"), cny("0.00"), cny("10.00"), cny("208.00"))
    # The zone's price 197.90 (goods 146.88 + freight 30 + fee 5 + CBEC VAT 16.10, to the nearest price ending in 9).
    assert partner.unit_price == cny("197.90")
    assert (partner.taxes, partner.shipping, partner.total) == (cny("16.10"), cny("30.00"), cny("197.90"))
    assert partner.goods == cny("151.80")
    assert checkout.total == cny("405.90")
    assert checkout.total == checkout.goods + checkout.taxes + checkout.shipping
    assert checkout.expires_at == checkout.created_at + dt.timedelta(minutes=15)


def test_the_shopper_pays_exactly_the_locked_quote_even_if_prices_change_meanwhile(shop):
    listing = partner_listing(export_price="20.00")
    checkout = checkout_of(cart_with((listing, 1)), **BUYER)
    PartnerListing.objects.filter(pk=listing.pk).update(export_price=Money(Decimal("40.00"), "USD"))
    pricing.price_listing(listing)

    order = checkouts.place_order(checkout=checkout, posted_total="197.90")

    assert order.total == cny("197.90")
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert list(order.lines.values_list("total", flat=True)) == [Decimal("197.90")]


def test_an_expired_quote_is_refused(shop):
    checkout = checkout_of(cart_with((own_variant(shop), 1)))

    with pytest.raises(DomainError) as refused:
        checkouts.place_order(checkout=checkout, posted_total="109.00", now=checkout.expires_at)

    assert refused.value.code == "quote_expired"
    assert not Order.objects.exists()


@pytest.mark.parametrize("posted", ["108.99", "109.01", "1e2", "abc", "", "109.00 CNY"])
def test_a_posted_total_other_than_the_quotes_is_refused(shop, posted):
    checkout = checkout_of(cart_with((own_variant(shop, price="99.00"), 1)))

    with pytest.raises(DomainError) as refused:
        checkouts.place_order(checkout=checkout, posted_total=posted)

    assert refused.value.code == "total_mismatch"
    assert refused.value.field == "total"
    assert not Order.objects.exists()


def test_placing_the_same_checkout_twice_gives_one_order(shop):
    checkout = checkout_of(cart_with((own_variant(shop, price="99.00"), 1)))

    first = checkouts.place_order(checkout=checkout, posted_total="109.00")
    second = checkouts.place_order(checkout=checkout, posted_total="109.00")

    assert first.pk == second.pk
    assert Order.objects.count() == 1


def test_checkout_holds_the_stock_and_the_beat_task_releases_it_when_the_quote_lapses(shop):
    variant = own_variant(shop, stock=5)
    checkout = checkout_of(cart_with((variant, 3)))
    level = StockLevel.objects.get(sku=variant.sku)
    assert (level.on_hand, level.reserved) == (5, 3)

    checkouts.expire_checkouts(now=checkout.expires_at - dt.timedelta(seconds=1))
    level.refresh_from_db()
    assert level.reserved == 3

    Checkout.objects.filter(pk=checkout.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expire_checkouts.apply()
    expire_checkouts.apply()  # a beat that fires twice

    level.refresh_from_db()
    checkout.refresh_from_db()
    assert (level.on_hand, level.reserved) == (5, 0)
    assert checkout.status == Checkout.Status.EXPIRED
    assert Reservation.objects.get(reference__startswith=f"checkout:{checkout.reference}").status == "expired"


def test_an_order_not_paid_in_time_expires_and_gives_its_stock_back(shop):
    variant = own_variant(shop, stock=2)
    listing = partner_listing(direct_stock=4)
    checkout = checkout_of(cart_with((variant, 2), (listing, 3)), **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    listing.refresh_from_db()
    assert listing.direct_stock == 1

    quotes, orders = checkouts.expire_checkouts(now=order.payment_due_at)

    order.refresh_from_db()
    listing.refresh_from_db()
    assert (quotes, orders) == (0, 1)
    assert order.status == Order.Status.EXPIRED
    assert StockLevel.objects.get(sku=variant.sku).reserved == 0
    assert listing.direct_stock == 4
    assert list(order.events.values_list("kind", flat=True)) == ["placed", "expired"]


def test_checkout_refuses_more_than_is_in_stock_and_holds_nothing(shop):
    plenty, scarce = own_variant(shop, stock=9), own_variant(shop, stock=2)

    with pytest.raises(DomainError) as refused:
        checkout_of(cart_with((plenty, 1), (scarce, 3)))

    assert refused.value.code == "insufficient_stock"
    assert "Only 2" in refused.value.detail
    assert not Reservation.objects.exists()
    assert not Checkout.objects.exists()


def test_partner_goods_in_our_warehouse_are_held_there_and_the_rest_ship_direct(shop):
    local = partner_listing(direct_stock=0)
    direct = partner_listing(direct_stock=5)
    make_level(warehouse=shop, sku=local.variants[0]["sku"], owner=local.partnership.partner, on_hand=4)

    checkout = checkout_of(cart_with((local, 2), (direct, 2)), **BUYER)

    by_sku = {line.sku: line for line in checkout.lines.all()}
    held, shipped = by_sku[local.variants[0]["sku"]], by_sku[direct.variants[0]["sku"]]
    assert (held.fulfilment, held.reservation.quantity, held.direct_units) == ("consignment", 2, 0)
    assert held.shipping == cny("16.00")  # local freight 8 per item
    assert (shipped.fulfilment, shipped.reservation, shipped.direct_units) == ("direct", None, 2)
    direct.refresh_from_db()
    assert direct.direct_stock == 3


def test_direct_goods_are_limited_by_the_listings_direct_stock(shop):
    listing = partner_listing(direct_stock=1)

    with pytest.raises(DomainError) as refused:
        checkout_of(cart_with((listing, 2)), **BUYER)

    assert refused.value.code == "insufficient_stock"
    listing.refresh_from_db()
    assert listing.direct_stock == 1


def test_a_new_checkout_of_the_cart_replaces_the_open_one_and_releases_its_holds(shop):
    variant = own_variant(shop, stock=3)
    cart = cart_with((variant, 3))
    first = checkout_of(cart)

    second = checkout_of(cart)

    first.refresh_from_db()
    assert first.status == Checkout.Status.REPLACED
    assert second.status == Checkout.Status.OPEN
    assert StockLevel.objects.get(sku=variant.sku).reserved == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"recipient": {**RECIPIENT, "name": ""}}, "recipient.name"),
        ({"recipient": {**RECIPIENT, "address_lines": []}}, "recipient.address_lines"),
        ({"recipient": {**RECIPIENT, "city": "Austin", "country": "US"}}, "recipient.country"),
        ({"recipient": {**RECIPIENT, "country_area": ""}}, "recipient.country_area"),  # China needs the province
        ({"recipient": {**RECIPIENT, "country_area": "Texas"}}, "recipient.country_area"),
        ({"recipient": {**RECIPIENT, "country_area": "广东省", "city": "杭州市"}}, "recipient.city"),
        ({"recipient": {**RECIPIENT, "postcode": ""}}, "recipient.postcode"),
        ({"recipient": {**RECIPIENT, "postcode": "20012"}}, "recipient.postcode"),  # six digits in China
        ({"email": "not-an-address"}, "email"),
        ({"phone": ""}, "recipient.phone"),
        ({"phone": "12345"}, "recipient.phone"),
    ],
)
def test_a_bad_address_or_contact_is_refused_naming_the_field(shop, change, field):
    cart = cart_with((own_variant(shop), 1))

    with pytest.raises(DomainError) as refused:
        shop_factories.start_checkout(cart=cart, **{**CONTACT, **change})

    assert refused.value.field == field
    assert not Checkout.objects.exists()


def test_a_withdrawn_listing_in_the_cart_stops_the_checkout(shop):
    listing = partner_listing()
    cart = cart_with((listing, 1))
    PartnerListing.objects.filter(pk=listing.pk).update(is_active=False)

    with pytest.raises(DomainError) as refused:
        checkout_of(cart, **BUYER)

    assert refused.value.code == "not_orderable"


def test_the_checkout_pages_show_the_quote_and_place_the_order(shop, client, django_assert_max_num_queries):
    variant = own_variant(shop, price="99.00")
    client.post(reverse("payments:cart_add"), {"sku": variant.sku, "quantity": "2"})
    form = {
        "name": "Li Wei",
        "address": "88 Century Avenue",
        "country_area": "上海市",
        "city": "Shanghai",
        "postcode": "200120",
        "email": "li@example.com",
    }

    refused = client.post(reverse("payments:checkout"), {**form, "phone": ""})
    assert refused.status_code == 400
    assert 'id="e-phone"' in refused.content.decode()

    started = client.post(reverse("payments:checkout"), {**form, "phone": "13800138000"})
    assert started.status_code == 302
    with django_assert_max_num_queries(8):
        page = client.get(started["Location"])
    assert page.status_code == 200
    assert 'data-total="208.00"' in page.content.decode()
    assert 'data-expires="' in page.content.decode()

    checkout = Checkout.objects.get()
    wrong = client.post(reverse("payments:place", args=[checkout.reference]), {"total": "207.99"})
    assert wrong.status_code == 409
    placed = client.post(reverse("payments:place", args=[checkout.reference]), {"total": "208.00"})
    order = Order.objects.get()
    payment = Payment.objects.get(checkout_reference=str(checkout.reference))  # the shopper goes to pay
    assert placed["Location"] == reverse("payments:payment", args=[payment.token])
    assert (payment.amount, payment.currency, payment.return_url) == (
        Decimal("208.00"),
        "CNY",
        reverse("payments:order", args=[order.token]),
    )


def test_another_shoppers_checkout_is_not_found(shop, client):
    checkout = checkout_of(cart_with((own_variant(shop), 1)))

    assert client.get(reverse("payments:quote", args=[checkout.reference])).status_code == 404
