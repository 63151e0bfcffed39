"""Factories and fixtures for the shop's tests (cart, checkout, orders): a `cn` platform with the
shipped duty rules and a USD rate, own goods with warehouse stock, priced partner listings."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone
from djmoney.money import Money

from catalog.models import Category
from catalog.taxonomy import load_rows, read_rows
from crossborder.models import ExchangeRate
from partner_zone import rules
from partner_zone.models import DutyRule, Festival, FestivalDate, RoundingRule
from partner_zone.services import pricing
from payments.ledger.services import ledger
from payments.shop.services import cart as carts
from payments.shop.services import checkout as checkouts
from payments.shop.services import direct_order
from tests.catalog.factories import make_product
from tests.logistics.factories import make_level, make_warehouse
from tests.partner_zone.factories import make_listing, make_partnership

FEES = {
    "fx_margin": "0.02",
    "duties_included": "1",
    "zone_fee_per_item": "5",
    "shipping_local_per_item": "8",
    "shipping_direct_per_item": "30",
}
RECIPIENT = {
    "name": "Li Wei",
    "address_lines": ["88 Century Avenue"],
    "country_area": "上海市",
    "city": "Shanghai",
    "city_area": "浦东新区",
    "postcode": "200120",
    "country": "CN",
}
CONTACT = {"recipient": RECIPIENT, "email": "li.wei@example.com", "phone": "+86 138 0013 8000"}
VALID_ID = "11010519491231002X"
BUYER = {"buyer_name": "李伟", "buyer_id_number": VALID_ID}

_counter = itertools.count(1)


def cny(amount):
    return Money(Decimal(str(amount)), "CNY")


def set_up_shop(settings):
    """A `cn` platform: CNY, the shipped duty and rounding rules, 1 USD = 7.2 CNY, a home warehouse."""
    settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY, settings.PLATFORM_CODE = "CN", "CNY", "cn"
    settings.SHOP = {"QUOTE_MINUTES": 15, "PAYMENT_MINUTES": 30, "OWN_SHIPPING_PER_ORDER": "10"}
    if not Category.objects.exists():  # a transactional test before this one flushed the taxonomy
        load_rows(Category, read_rows())
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)
    ExchangeRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.2"), as_of=timezone.now() - dt.timedelta(hours=1)
    )
    ledger.forget_accounts()
    return make_warehouse(country="CN")


def own_variant(warehouse, *, stock=10, price="99.00"):
    """An active product of ours with one variant and `stock` units in the warehouse (received
    there: the catalog's figure follows the warehouse's count)."""
    product = make_product(price=price, stock=0)
    variant = product.variants.get()
    make_level(warehouse=warehouse, sku=variant.sku, on_hand=stock, variant=variant)
    return variant


def partner_listing(partnership=None, *, export_price="20.00", direct_stock=50, hs_code="392410", **fields):
    """A priced, orderable listing of the `us` partner (shipping direct unless given local stock)."""
    partnership = partnership or us_partnership()
    listing = make_listing(
        partnership,
        export_price=Money(Decimal(export_price), "USD"),
        direct_stock=direct_stock,
        hs_code=hs_code,
        **fields,
    )
    return pricing.price_listing(listing)


def us_partnership():
    from crossborder.models import Partner

    partner = Partner.objects.filter(code="us").first()
    live = partner.live_partnership() if partner else None
    return live or make_partnership("us", currency="USD", country="US", fee_schedule=dict(FEES))


def session_key():
    return f"test-cart-{next(_counter)}"


def cart_with(*items, key=None):
    """A cart holding (variant or listing, quantity) items; returns the cart."""
    key = key or session_key()
    line = None
    for item, quantity in items:
        if hasattr(item, "partnership_id"):
            line = carts.add_to_cart(session_key=key, listing_id=item.pk, quantity=quantity)
        else:
            line = carts.add_to_cart(session_key=key, sku=item.sku, quantity=quantity)
    return line.cart


# The checkout form's field names, as tests write them, and the Buyer's.
BUYER_FIELDS = {
    "recipient": "recipient",
    "email": "email",
    "phone": "phone",
    "buyer_name": "name",
    "buyer_id_number": "id_number",
    "user": "user",
    "client_ip": "client_ip",
}


def split_buyer(values):
    """Keyword arguments written with the form's field names: the Buyer they describe, and the rest."""
    buyer = {BUYER_FIELDS[name]: value for name, value in values.items() if name in BUYER_FIELDS}
    return checkouts.Buyer(**buyer), {name: value for name, value in values.items() if name not in BUYER_FIELDS}


def start_checkout(**values):
    """checkouts.start_checkout with the buyer given field by field."""
    buyer, rest = split_buyer(values)
    return checkouts.start_checkout(buyer=buyer, **rest)


def order_now(**values):
    """direct_order.order_now with the buyer given field by field."""
    buyer, rest = split_buyer(values)
    return direct_order.order_now(buyer=buyer, **rest)


def checkout_of(cart, **extra):
    return start_checkout(cart=cart, **{**CONTACT, **extra})
