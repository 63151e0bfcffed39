"""Shoppers and ops cancelling the same paid order at once, in real threads with their own
PostgreSQL connections (DESIGN.md section 6): the order is cancelled once, its books reversed once,
the partner told once, and the shopper refunded once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse

from crossborder.errors import DomainError
from crossborder.models import OutboxMessage
from payments.models import LedgerTransaction, Order, OrderEvent, Payment, ProviderCall
from payments.shop.services import cancel as cancels
from payments.shop.services import checkout as checkouts

from .paying_factories import set_up_cn, unbalanced_transactions
from .payment_factories import approve, charge_of, sandbox_webhooks_through_test_client  # noqa: F401
from .shop_factories import BUYER, cart_with, checkout_of, own_variant, partner_listing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 6


def test_cancellations_racing_for_one_paid_order_cancel_it_and_refund_it_once(settings):
    warehouse = set_up_cn(settings)
    checkout = checkout_of(cart_with((own_variant(warehouse, stock=3), 1), (partner_listing(), 1)), **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    started = checkouts.start_payment(order=order, return_url=reverse("payments:order", args=[order.token]))
    payment = Payment.objects.get(token=started.payment_reference)
    approve(payment)
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.CAPTURED
    barrier = threading.Barrier(RACERS)

    def race(number):
        try:
            barrier.wait(timeout=30)
            cancels.cancel_order(order=order, by="shopper" if number % 2 else "ops")
            return "ok"
        except DomainError as error:  # a provider answer still in flight for another racer
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        outcomes = list(pool.map(race, range(RACERS)))

    assert outcomes == ["ok"] * RACERS
    payment.refresh_from_db()
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCELLED).count() == 1
    assert payment.state == Payment.State.REFUNDED and payment.refunded_amount == order.total.amount
    assert charge_of(payment).refunded_amount == order.total.amount
    assert ProviderCall.objects.filter(payment=payment, operation="refund").count() == 1
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1
    # the two lines' sales, and the merchant's credit and commission of our own line: each once
    assert LedgerTransaction.objects.filter(reverses__isnull=False).count() == 4
    assert unbalanced_transactions() == {}
    assert OutboxMessage.objects.filter(message_type="order.status").count() == 1
