"""The storefront with the real providers' adapters, against the local stand-ins: a `us` shopper
pays by card at Stripe Checkout (3-D Secure passed on Stripe's page), a `cn` shopper scans Alipay's
QR code; each order ends paid, the money captured once, the ledger balanced."""

from decimal import Decimal

import pytest
import requests
from django.urls import reverse

from payments.models import Order, Payment

from .paying_factories import (
    BUYER_FORM,
    CN_FORM,
    US_FORM,
    add_to_cart,
    balance,
    check_out,
    ledger_kinds,
    order_of,
    payment_of,
    place,
    set_up_cn,
    set_up_us,
    unbalanced_transactions,
)
from .payment_factories import sandbox_webhooks_through_test_client  # noqa: F401
from .shop_factories import own_variant
from .standins.fixtures import deliver_alipay, deliver_stripe

pytestmark = pytest.mark.django_db


def test_a_us_shopper_pays_at_stripe_checkout_and_the_order_is_paid_and_captured(settings, client, stripe_standin):
    warehouse = set_up_us(settings)
    add_to_cart(client, (own_variant(warehouse, stock=4, price="25.00"), 2))
    checkout = check_out(client, US_FORM)

    placed = place(client, checkout, provider="stripe")
    order = order_of(checkout)
    payment = payment_of(order)
    assert (payment.provider, payment.amount, payment.currency) == ("stripe", order.total.amount, "USD")
    # Our payment page sends the shopper on to Stripe's hosted page...
    onward = client.get(placed["Location"])
    assert onward.status_code == 302 and onward["Location"] == payment.next_action["redirect_url"]
    assert onward["Location"].startswith(f"{stripe_standin.base_url}/pay/cs_")
    # ...where 3-D Secure passes, and Stripe brings the shopper back to us and sends its webhooks.
    back = requests.get(onward["Location"], params={"outcome": "approve"}, allow_redirects=False, timeout=5)
    assert back.headers["Location"].endswith(reverse("payments:payment-return", args=[payment.token]))
    deliver_stripe(client, stripe_standin)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and payment.state == Payment.State.CAPTURED
    assert payment.captured_amount == order.total.amount
    assert stripe_standin.done["capture"] == 1
    intent = next(iter(stripe_standin.intents.values()))
    assert Decimal(intent["amount_received"]) / 100 == order.total.amount
    assert ledger_kinds()[f"payment:{payment.token}:capture"] == "payment_captured"
    assert unbalanced_transactions() == {}
    assert balance("psp_clearing", "USD") == order.total.amount


def test_a_cn_shopper_pays_by_scanning_alipays_code_and_the_order_is_paid(settings, client, alipay_standin):
    warehouse = set_up_cn(settings)
    add_to_cart(client, (own_variant(warehouse, stock=5, price="99.00"), 1))
    checkout = check_out(client, CN_FORM, **BUYER_FORM)

    placed = place(client, checkout, provider="alipay")
    order = order_of(checkout)
    payment = payment_of(order)
    assert payment.next_action["qr_payload"].startswith(f"{alipay_standin.base_url}/qr/")
    assert payment.next_action["qr_payload"] in client.get(placed["Location"]).content.decode()

    alipay_standin.pay(payment.provider_payment_id)  # the shopper scans and pays in the app
    assert deliver_alipay(client, alipay_standin) == ["TRADE_SUCCESS"]

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and payment.state == Payment.State.CAPTURED
    assert payment.captured_amount == order.total.amount
    assert ledger_kinds()[f"payment:{payment.token}:capture"] == "payment_captured"
    assert unbalanced_transactions() == {}
