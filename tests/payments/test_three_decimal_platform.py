"""A platform whose own currency counts 3 decimals (KWD, docs/adr/0029): a product priced 12.345
KWD is stored, shown and sold as such; a partner's USD goods are priced in KWD to the fils; the
cart, the checkout and the order carry totals with 3 decimals; the card payment takes exactly that
total; the ledger posts it to the fils and balances; settlement converts the partner's USD balance
into KWD at the cut-off rate. JPY keeps 0 decimals through the same columns."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from catalog.models import Category, ProductVariant
from catalog.taxonomy import load_rows, read_rows
from crossborder import money
from crossborder.models import ExchangeRate
from partner_zone import rules
from partner_zone.models import DutyRule, Festival, FestivalDate, PartnerListing, RoundingRule
from payments.ledger.services import ledger, settlement
from payments.models import Order, Payment, Posting
from tests.logistics.factories import make_warehouse

from .paying_factories import (
    add_to_cart,
    balance,
    check_out,
    ledger_kinds,
    order_of,
    payment_of,
    place,
    unbalanced_transactions,
)
from .payment_factories import path_of, sandbox_webhooks_through_test_client  # noqa: F401
from .shop_factories import own_variant, partner_listing, us_partnership

pytestmark = pytest.mark.django_db

USD_KWD = Decimal("0.3075")
KW_FORM = {
    "name": "Fatima Al-Sabah",
    "address": "Block 3, Street 12, House 7",
    "city": "Kuwait City",
    "postcode": "13001",
    "country": "KW",
    "email": "fatima@example.com",
    "phone": "+965 2222 3333",
}


@pytest.fixture
def kw(settings):
    """A `kw` platform: KWD (3 decimals), English, the shipped rules, 1 USD = 0.3075 KWD, a home
    warehouse, paying by card; own shipping 1.250 KWD an order."""
    settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY, settings.PLATFORM_CODE = "KW", "KWD", "kw"
    settings.LANGUAGE_CODE = "en"
    settings.SHOP = {"QUOTE_MINUTES": 15, "PAYMENT_MINUTES": 30, "OWN_SHIPPING_PER_ORDER": "1.250"}
    settings.PAYMENT_OPTIONS = {**settings.PAYMENT_OPTIONS, "DEFAULT_PROVIDER": "sandbox_card"}
    if not Category.objects.exists():
        load_rows(Category, read_rows())
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)
    # The Gulf's common external tariff, 5 %, no VAT (not among the shipped rules).
    DutyRule.objects.create(country="KW", regime="general", description="GCC tariff", duty_rate=Decimal("0.05"))
    ExchangeRate.objects.create(base="USD", quote="KWD", rate=USD_KWD, as_of=timezone.now() - dt.timedelta(hours=1))
    ledger.forget_accounts()
    return make_warehouse(country="KW")


def fils(amount):
    """The amount as its digits: 3 decimals, nothing rounded away."""
    return str(amount.amount if isinstance(amount, Money) else amount)


def test_a_kwd_platform_sells_prices_pays_posts_and_settles_to_the_fils(kw, client):
    variant = own_variant(kw, stock=4, price="12.345")
    variant = ProductVariant.objects.get(pk=variant.pk)
    assert fils(variant.price) == "12.345" and variant.price.currency.code == "KWD"
    assert fils(variant.product.price) == "12.345"
    page = client.get(reverse("catalog:product", args=[variant.product.reference])).content.decode()
    assert "12.345" in page

    # A partner's 20.00 USD goods, converted at the agreement's margin, in fils.
    partnership = us_partnership()
    partnership.settlement_currency = "KWD"
    partnership.save(update_fields=["settlement_currency"])
    listing = PartnerListing.objects.get(pk=partner_listing(partnership, export_price="20.00").pk)
    assert listing.pricing_problem == ""
    assert listing.price.currency.code == "KWD"
    # 20.00 x 0.3075 x 1.02 = 6.273; + 5 zone fee + 30 shipping; duty 5 % of 36.273 = 1.81365 -> 1.814
    breakdown = listing.price_breakdown
    assert (breakdown["fx_rate"], breakdown["goods"], breakdown["duties"]) == ("0.30750000", "6.273", "1.814")
    assert fils(listing.price) == breakdown["price"] == "43.087"

    add_to_cart(client, (variant, 1), (listing, 1))
    checkout = check_out(client, KW_FORM)
    assert checkout.total.currency.code == "KWD"
    assert checkout.total == checkout.goods + checkout.taxes + checkout.shipping + checkout.extras
    own, partner = checkout.lines.order_by("line_number")
    assert [fils(part) for part in (own.unit_price, own.shipping, own.total)] == ["12.345", "1.250", "13.595"]
    assert [fils(part) for part in (partner.unit_price, partner.goods, partner.taxes)] == ["43.087", "11.273", "1.814"]
    assert [fils(part) for part in (checkout.goods, checkout.taxes, checkout.shipping)] == ["23.618", "1.814", "31.250"]
    assert fils(checkout.total) == "56.682"

    placed = place(client, checkout)
    order = order_of(checkout)
    payment = payment_of(order)
    assert (payment.amount, payment.currency) == (order.total.amount, "KWD")
    challenge = client.get(placed["Location"])
    client.post(path_of(challenge["Location"]), {"decision": "approve"})
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and payment.state == Payment.State.CAPTURED
    assert fils(order.total) == fils(checkout.total) and payment.captured_amount == order.total.amount

    # The ledger: each sale and the capture, to the fils, balanced per currency.
    own_line, partner_line = order.lines.order_by("line_number")
    assert set(ledger_kinds().values()) == {
        "own_goods_sale",
        "partner_goods_sale",
        "payment_captured",
        "merchant_sale",  # what the merchant is owed, in KWD too
        "merchant_commission",
    }
    assert unbalanced_transactions() == {}
    assert balance("psp_clearing", "KWD") == order.total.amount
    assert balance("shopper_prepayments", "KWD") == 0
    for amount in Posting.objects.filter(currency="KWD").values_list("amount", flat=True):
        assert amount == money.quantize(amount, "KWD")
    owed_usd = -balance("partner_balance", "USD", partnership)
    assert owed_usd == money.quantize(Decimal("20.00") * (1 - Decimal(str(partnership.commission_rate))), "USD")

    # Settlement: the USD balance converted once into KWD at the cut-off rate, in fils.
    batch = settlement.close_period(partnership=partnership, now=timezone.now() + dt.timedelta(days=1))
    assert batch.currency == "KWD" and batch.posting_count > 0
    assert batch.net_amount == money.quantize(-owed_usd * USD_KWD, "KWD", rounding=money.BANKERS)
    assert batch.net_amount == money.quantize(batch.net_amount, "KWD")


def test_a_jpy_platform_keeps_whole_yen_in_the_three_decimal_columns(settings):
    settings.PLATFORM_CURRENCY = "JPY"
    variant = own_variant(make_warehouse(country="JP"), price="1200")
    variant = ProductVariant.objects.get(pk=variant.pk)
    assert fils(variant.price) == "1200" and fils(variant.product.price) == "1200"
    assert str(variant.price) in ("¥1,200", "JP¥1,200")
