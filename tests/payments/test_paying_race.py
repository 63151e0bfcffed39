"""Webhooks and polls racing for the same authorisation, in real threads with their own PostgreSQL
connections (DESIGN.md section 6): the order is paid once, the money captured once, the partner
told once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse

from crossborder.models import OutboxMessage
from logistics.models import Shipment
from payments.models import LedgerTransaction, Order, OrderEvent, Payment, ProviderCall, SandboxWebhook
from payments.providers.services import payment as payments
from payments.shop.services import checkout as checkouts

from . import payment_factories as pf
from .paying_factories import set_up_cn, unbalanced_transactions
from .payment_factories import approve, sandbox_webhooks_through_test_client, signed_headers  # noqa: F401
from .shop_factories import BUYER, cart_with, checkout_of, own_variant, partner_listing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 8


def test_webhooks_and_polls_racing_for_one_authorisation_pay_the_order_once(settings):
    warehouse = set_up_cn(settings)
    checkout = checkout_of(cart_with((own_variant(warehouse, stock=3), 1), (partner_listing(), 1)), **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    started = checkouts.start_payment(order=order, return_url=reverse("payments:order", args=[order.token]))
    payment = Payment.objects.get(token=started.payment_reference)
    pf.OUTAGE["status"] = 503  # the sandbox's own delivery fails: the racers below deliver it
    approve(payment)
    pf.OUTAGE["status"] = None
    authorised = SandboxWebhook.objects.get(charge__charge_id=payment.provider_payment_id)
    body = authorised.body.encode()
    barrier = threading.Barrier(RACERS)

    def race(number):
        try:
            barrier.wait(timeout=30)
            if number % 2:
                payments.handle_webhook(
                    provider="sandbox_wallet", headers=signed_headers("sandbox_wallet", body), body=body
                )
            else:
                payments.refresh_payment(payment=payment)
            return "ok"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        assert list(pool.map(race, range(RACERS))) == ["ok"] * RACERS

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and order.payment_reference == payment.token
    assert payment.state == Payment.State.CAPTURED and payment.order_placed_at is not None
    assert list(OrderEvent.objects.filter(order=order).order_by("id").values_list("kind", flat=True)) == [
        "placed",
        "paid",
        "forwarded",
    ]
    assert sorted(LedgerTransaction.objects.values_list("kind", flat=True)) == [
        "merchant_commission",  # our merchant's share of its goods, posted once with the sale
        "merchant_sale",
        "own_goods_sale",
        "partner_goods_sale",
        "payment_captured",
    ]
    assert unbalanced_transactions() == {}
    assert OutboxMessage.objects.filter(message_type="order.forwarded").count() == 1
    assert Shipment.objects.count() == 2
    assert ProviderCall.objects.filter(payment=payment, operation="capture").count() == 1
