"""An order placed before its partner was suspended (issue 13, item 13). The rule (README, Shop):
while a partnership is not active no payment is opened for an order holding its goods (the order
page says why; the order waits until it lapses or the partnership resumes), and an order whose money
is secured anyway is neither paid nor forwarded: it is cancelled whole with the reason and its
payment voided. The relay still delivers, in order, everything queued before the suspension and the
suspension itself."""

import pytest
from django.urls import reverse

from crossborder import client as partner_client
from crossborder import outbox
from crossborder import services as partnerships
from crossborder.errors import DomainError
from crossborder.models import OutboxMessage
from logistics.models import StockLevel
from payments.models import LedgerTransaction, Order, OrderEvent, Payment, SandboxCharge
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from payments.tasks import settle_secured_payments

from .paying_factories import (
    BUYER_FORM,
    CN_FORM,
    add_to_cart,
    check_out,
    order_of,
    payment_of,
    place,
    set_up_cn,
)
from .payment_factories import charge_of, path_of, sandbox_webhooks_through_test_client  # noqa: F401
from .shop_factories import BUYER, cart_with, checkout_of, own_variant, partner_listing

pytestmark = pytest.mark.django_db

S = Payment.State


@pytest.fixture
def cn(db, settings):
    return set_up_cn(settings)


def placed(*items, **buyer):
    """An order awaiting payment, placed without opening a payment (as the shop API does)."""
    checkout = checkout_of(cart_with(*items), **buyer)
    return checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))


def wallet_order(client, warehouse):
    """Own goods and a partner's goods held here, placed through the storefront: the wallet payment
    is open, waiting for the shopper to approve it."""
    variant = own_variant(warehouse, stock=5)
    listing = partner_listing(direct_stock=0)
    from tests.logistics.factories import make_level

    make_level(warehouse=warehouse, sku=listing.variants[0]["sku"], owner=listing.partnership.partner, on_hand=3)
    add_to_cart(client, (variant, 1), (listing, 1))
    checkout = check_out(client, CN_FORM, **BUYER_FORM)
    place(client, checkout)
    order = order_of(checkout)
    return order, payment_of(order), listing.partnership


def test_no_payment_is_opened_for_an_order_of_a_suspended_partner_and_the_order_page_says_why(cn, client):
    order = placed((own_variant(cn), 1), (partner_listing(), 1), **BUYER)
    partnership = order.lines.get(origin="partner").partnership
    partnerships.suspend_partnership(partnership=partnership, reason="late settlement")

    refused = client.get(reverse("payments:pay", args=[order.token]))

    html = refused.content.decode()
    assert refused.status_code == 409
    assert "suspended" in html and partnership.partner.name in html
    assert not Payment.objects.exists()
    page = client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert "data-payment-blocked" in page and "data-pay-now" not in page
    assert Order.objects.get(pk=order.pk).status == Order.Status.AWAITING_PAYMENT  # it waits, holding its goods

    # The partnership resumes within the order's window: the shopper can pay it.
    partnerships.resume_partnership(partnership=partnership)
    opened = client.get(reverse("payments:pay", args=[order.token]))
    assert opened.status_code == 302 and Payment.objects.count() == 1


def test_money_secured_after_the_suspension_cancels_the_whole_order_and_voids_the_payment(cn, client, settings):
    settings.LANGUAGE_CODE = "en"  # the platform speaks English here: the test reads its messages
    order, payment, partnership = wallet_order(client, cn)
    partnerships.suspend_partnership(partnership=partnership, reason="late settlement")

    # The shopper approves in the wallet app, which still shows the payment.
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.paid_at is None
    event = order.events.get(kind=OrderEvent.Kind.CANCELLED)
    assert "suspended" in event.detail["reason"] and event.detail["by"] == "platform"
    assert payment.state == S.CANCELLED and payment.captured_amount == 0
    assert charge_of(payment).status == SandboxCharge.Status.CANCELLED
    assert not LedgerTransaction.objects.exists()
    assert list(OutboxMessage.objects.values_list("message_type", flat=True)) == ["partnership.suspended"]
    assert all(level.reserved == 0 for level in StockLevel.objects.all())
    page = client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert 'data-refund="voided"' in page and "was suspended before your payment arrived" in page
    assert settle_secured_payments() == {"placed": 0, "captured": 0, "given_back": 0}


def test_the_beat_placing_a_secured_payment_after_the_suspension_cancels_the_order_too(cn, client, monkeypatch):
    from payments import hooks as payment_hooks

    order, payment, partnership = wallet_order(client, cn)
    monkeypatch.setattr(payment_hooks.money_secured, "_subscribers", [])  # the callback never ran
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    assert Payment.objects.get(pk=payment.pk).state == S.AUTHORISED
    partnerships.suspend_partnership(partnership=partnership, reason="audit")

    assert settle_secured_payments()["placed"] == 0

    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert Payment.objects.get(pk=payment.pk).state == S.CANCELLED
    assert not OutboxMessage.objects.filter(message_type="order.forwarded").exists()


def test_mark_paid_refuses_an_order_of_a_partner_not_active_and_changes_nothing(cn):
    order = placed((partner_listing(), 1), **BUYER)
    partnership = order.lines.get().partnership
    partnerships.suspend_partnership(partnership=partnership, reason="audit")

    with pytest.raises(DomainError) as refused:
        orders.mark_paid(order=order, payment_reference="pay-1", amount=order.total)

    assert (refused.value.code, refused.value.status, refused.value.field) == ("partnership_suspended", 409, "order")
    assert Order.objects.get(pk=order.pk).status == Order.Status.AWAITING_PAYMENT
    assert not LedgerTransaction.objects.exists()
    assert not OutboxMessage.objects.filter(message_type="order.forwarded").exists()


def test_an_order_of_our_own_goods_is_paid_whatever_the_partners(cn):
    order = placed((own_variant(cn), 1))
    partnerships.suspend_partnership(partnership=partner_listing().partnership, reason="audit")

    orders.mark_paid(order=order, payment_reference="pay-1", amount=order.total)

    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_the_relay_delivers_in_order_what_was_queued_before_the_suspension_and_the_suspension(cn, monkeypatch):
    order = placed((partner_listing(), 1), **BUYER)
    orders.mark_paid(order=order, payment_reference="pay-1", amount=order.total)  # forwarded while active
    partnership = order.lines.get().partnership
    partnerships.suspend_partnership(partnership=partnership, reason="audit")
    sent = []

    def deliver(partner, method, path, *, payload, idempotency_key):
        sent.append(payload["type"])
        return partner_client.PartnerReply(status=200, data={}, headers={})

    monkeypatch.setattr(partner_client, "call_partner", deliver)
    outbox.relay_partnership(partnership.pk)

    assert sent == ["order.forwarded", "partnership.suspended"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.DELIVERED}
