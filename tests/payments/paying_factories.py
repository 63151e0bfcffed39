"""Helpers for the shop-to-provider tests: a `us` platform beside shop_factories' `cn` one, the
shopper's steps through the storefront with Django's test client, and what the ledger, the outbox
and the stock say afterwards."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings as django_settings
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category
from catalog.taxonomy import load_rows, read_rows
from crossborder.models import ExchangeRate
from partner_zone import rules
from partner_zone.models import DutyRule, Festival, FestivalDate, RoundingRule
from payments.ledger.services import ledger
from payments.models import Checkout, LedgerTransaction, Order, Payment, Posting
from tests.logistics.factories import make_warehouse
from tests.partner_zone.factories import make_partnership

from .shop_factories import FEES, VALID_ID, set_up_shop

CN_FORM = {
    "name": "Li Wei",
    "address": "88 Century Avenue",
    "country_area": "上海市",
    "city": "Shanghai",
    "city_area": "浦东新区",
    "postcode": "200120",
    "country": "CN",
    "email": "li.wei@example.com",
    "phone": "+86 138 0013 8000",
}
US_FORM = {
    "name": "Ann Lee",
    "address": "1 Main St",
    "country_area": "TX",
    "city": "Austin",
    "postcode": "78701",
    "country": "US",
    "email": "ann@example.com",
    "phone": "+1 512 555 0100",
}
BUYER_FORM = {"buyer_name": "李伟", "buyer_id_number": VALID_ID}


def set_up_cn(settings):
    """shop_factories' `cn` platform, paying with the QR wallet by default."""
    warehouse = set_up_shop(settings)
    settings.PAYMENT_OPTIONS = {**settings.PAYMENT_OPTIONS, "DEFAULT_PROVIDER": "sandbox_wallet"}
    return warehouse


def set_up_us(settings):
    """A `us` platform: USD, English, the shipped rules, 1 USD = 7.2 CNY, a home warehouse, paying
    by card with its 3-D Secure challenge by default."""
    settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY, settings.PLATFORM_CODE = "US", "USD", "us"
    settings.SHOP = {"QUOTE_MINUTES": 15, "PAYMENT_MINUTES": 30, "OWN_SHIPPING_PER_ORDER": "5"}
    settings.PAYMENT_OPTIONS = {**settings.PAYMENT_OPTIONS, "DEFAULT_PROVIDER": "sandbox_card"}
    if not Category.objects.exists():
        load_rows(Category, read_rows())
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)
    ExchangeRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.2"), as_of=timezone.now() - dt.timedelta(hours=1)
    )
    ledger.forget_accounts()
    return make_warehouse(country="US")


def cn_partnership():
    """The `cn` partner of a `us` platform, settling in CNY."""
    return make_partnership("cn", currency="CNY", country="CN", languages=("zh-hans",), fee_schedule=dict(FEES))


# --- the shopper's steps ---------------------------------------------------------------------------


def add_to_cart(client, *items):
    for item, quantity in items:
        if hasattr(item, "partnership_id"):
            data = {"listing": str(item.pk), "quantity": str(quantity)}
        else:
            data = {"sku": item.sku, "quantity": str(quantity)}
        assert client.post(reverse("payments:cart_add"), data).status_code == 302


def check_out(client, form, **extra):
    """Address and contact (and the buyer's real name and ID where needed): the quote's checkout."""
    response = client.post(reverse("payments:checkout"), {**form, **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Checkout.objects.order_by("-created_at").first()


def place(client, checkout, *, total=None, provider=None):
    data = {"total": str(checkout.total.amount if total is None else total)}
    if provider:
        data["provider"] = provider
    return client.post(reverse("payments:place", args=[checkout.reference]), data)


def bought_with_the_wallet(client, *items, form=CN_FORM, **buyer) -> Order:
    """The shopper's whole way to a paid order: cart, checkout, place, and the QR wallet approved."""
    from .payment_factories import path_of

    add_to_cart(client, *items)
    checkout = check_out(client, form, **(buyer or BUYER_FORM))
    place(client, checkout)
    order = order_of(checkout)
    client.post(path_of(payment_of(order).next_action["qr_payload"]), {"decision": "approve"})
    order.refresh_from_db()
    return order


def payment_of(order) -> Payment:
    return Payment.objects.get(checkout_reference=str(order.checkout.reference))


def order_of(checkout) -> Order:
    return Order.objects.get(checkout=checkout)


# --- what the books say ----------------------------------------------------------------------------


def unbalanced_transactions():
    """Ledger transactions whose postings do not sum to zero per currency (there must be none)."""
    sums = defaultdict(Decimal)
    for transaction_id, currency, amount in Posting.objects.values_list("transaction_id", "currency", "amount"):
        sums[(transaction_id, currency)] += amount
    return {key: total for key, total in sums.items() if total != 0}


def balance(code, currency, partnership=None):
    postings = Posting.objects.filter(account__code=code, account__currency=currency)
    if partnership is not None:
        postings = postings.filter(account__partnership=partnership)
    return postings.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def ledger_kinds():
    return dict(LedgerTransaction.objects.values_list("reference", "kind"))


def webhook_secret(provider):
    return django_settings.PAYMENT_PROVIDERS[provider]["WEBHOOK_SECRET"]
