"""China's cross-border retail import at checkout: real name and resident ID number, the
per-transaction and annual limits per ID, and the tax on goods and freight."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossborder.errors import DomainError
from payments.models import Checkout, Order
from payments.shop.services import checkout as checkouts
from payments.shop.services.china_rules import PROVINCES, id_check_character, resident_id_problem

from .shop_factories import BUYER, VALID_ID, cart_with, checkout_of, cny, own_variant, partner_listing, set_up_shop


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


@st.composite
def resident_ids(draw):
    province = draw(st.sampled_from(sorted(PROVINCES)))
    area = draw(st.integers(min_value=1, max_value=9999))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{province:02d}{area:04d}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


@given(resident_ids())
def test_every_well_formed_resident_id_number_passes(number):
    assert resident_id_problem(number) is None
    assert resident_id_problem(number.lower()) is None


@given(resident_ids(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_any_single_changed_character_of_a_resident_id_number_fails(number, position, shift):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    changed = alphabet[(current + shift) % len(alphabet)]
    if changed == number[position]:
        return
    assert resident_id_problem(number[:position] + changed + number[position + 1 :]) is not None


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("1101051949123100", "18 characters"),
        ("11010519491231002Y", "18 characters"),
        ("99010519491231002X", "region"),
        ("110105" + "19490230" + "0021", "birth date"),
        ("110105" + "29490101" + "0021", "birth date"),
        ("110105194912310021", "check digit"),
    ],
)
def test_a_malformed_resident_id_number_is_refused_with_the_reason(number, reason):
    assert reason in resident_id_problem(number)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("buyer", "field", "code"),
    [
        ({}, "buyer_name", "real_name_required"),
        ({"buyer_name": "李伟"}, "buyer_id_number", "invalid_id_number"),
        ({"buyer_name": "李伟", "buyer_id_number": "110105194912310021"}, "buyer_id_number", "invalid_id_number"),
    ],
)
def test_partner_goods_on_a_cn_platform_need_the_buyers_real_name_and_id(shop, buyer, field, code):
    cart = cart_with((partner_listing(), 1))

    with pytest.raises(DomainError) as refused:
        checkout_of(cart, **buyer)

    assert (refused.value.field, refused.value.code) == (field, code)
    assert not Checkout.objects.exists()


@pytest.mark.django_db
def test_own_goods_need_no_id_and_keep_none(shop):
    checkout = checkout_of(cart_with((own_variant(shop), 1)), **BUYER)

    assert (checkout.buyer_name, checkout.buyer_id_number, checkout.cbec_value) == ("", "", None)


@pytest.mark.django_db
def test_a_us_platform_asks_no_id_for_partner_goods(shop, settings):
    settings.PLATFORM_COUNTRY = "US"
    from tests.logistics.factories import make_warehouse

    make_warehouse(country="US")
    listing = partner_listing()

    checkout = checkout_of(
        cart_with((listing, 1)),
        recipient={
            "name": "Ann",
            "address_lines": ["1 Main St"],
            "country_area": "TX",
            "city": "Austin",
            "postcode": "78701",
            "country": "US",
        },
    )

    assert checkout.buyer_id_number == ""


@pytest.mark.django_db
def test_an_order_above_5000_yuan_of_cross_border_goods_is_refused(shop):
    listing = partner_listing(export_price="300.00", direct_stock=10)  # goods 2203.20 + freight 30 each

    with pytest.raises(DomainError) as refused:
        checkout_of(cart_with((listing, 3)), **BUYER)

    assert refused.value.code == "transaction_limit"
    assert "5000" in refused.value.detail.replace(",", "")
    listing.refresh_from_db()
    assert listing.direct_stock == 10


@pytest.mark.django_db
def test_the_annual_limit_counts_this_years_orders_for_the_same_id(shop):
    listing = partner_listing(export_price="300.00", direct_stock=100)
    # Earlier orders this year for the ID: 5 x 4,466.40 (2 units each) = 22,332.00 yuan.
    for _ in range(5):
        checkout = checkout_of(cart_with((listing, 2)), **BUYER)
        checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    spent = sum(order.cbec_value.amount for order in Order.objects.all())
    assert spent == Decimal("22332.00")

    with pytest.raises(DomainError) as refused:
        checkout_of(cart_with((listing, 2)), **BUYER)

    assert (refused.value.code, refused.value.field) == ("annual_limit", "buyer_id_number")
    assert "3,668.00" in refused.value.detail or "3668.00" in refused.value.detail
    # Another person (their own ID and contact: one shopper's unpaid orders are limited) is not affected.
    assert checkout_of(
        cart_with((listing, 2)),
        buyer_name="王芳",
        buyer_id_number="440524198001010013",
        email="wang.fang@example.com",
        phone="13900139000",
    )


@pytest.mark.django_db
def test_expired_orders_do_not_count_towards_the_annual_limit(shop):
    listing = partner_listing(export_price="300.00", direct_stock=100)
    for _ in range(6):
        checkout = checkout_of(cart_with((listing, 2)), **BUYER)
        order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
        Order.objects.filter(pk=order.pk).update(status=Order.Status.EXPIRED)

    assert checkout_of(cart_with((listing, 2)), **BUYER).cbec_value == cny("4466.40")


@pytest.mark.django_db
def test_cross_border_tax_is_70_percent_of_vat_and_consumption_tax_on_goods_and_freight(shop):
    cosmetics = partner_listing(export_price="50.00", hs_code="330499")

    line = checkout_of(cart_with((cosmetics, 2)), **BUYER).lines.get()

    # Goods 50 x 7.2 x 1.02 = 367.20 each; with freight 30: dutiable 794.40 for two.
    assert line.dutiable_value == cny("794.40")
    # Consumption tax 794.40 / 0.85 x 15 % = 140.188...; VAT (794.40 + 140.188) x 13 % = 121.496...;
    # 70 % of both: 98.13 + 85.05 = 183.18.
    assert line.taxes == cny("183.18")
    assert (line.taxes_detail["regime"], line.taxes_detail["vat"], line.taxes_detail["consumption_tax"]) == (
        "cn_cbec",
        "85.05",
        "98.13",
    )
    assert line.total == line.goods + line.taxes + line.shipping


def test_the_valid_example_id_passes():
    assert resident_id_problem(VALID_ID) is None
