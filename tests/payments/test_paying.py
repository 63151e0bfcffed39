"""The shop and the payment providers together, through the storefront with Django's test client:
a `cn` shopper pays own and partner goods with the QR wallet (approved in the sandbox wallet's page,
authorised by its signed webhook), a `us` shopper pays by card through the 3-D Secure challenge;
each ends with the order paid, the money captured, the ledger balanced, the partner lines forwarded
and the stock allocated. Duplicate webhooks, a poll beside the webhook, a payment arriving after the
order expired and a tampered total change nothing they should not."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from djmoney.money import Money

from crossborder.models import OutboxMessage
from logistics.models import Reservation, Shipment, StockLevel
from partner_zone.services import pricing
from payments import hooks as payment_hooks
from payments.models import (
    LedgerTransaction,
    Order,
    OrderEvent,
    Payment,
    PaymentTransition,
    ProviderCall,
    SandboxCharge,
    SandboxWebhook,
    WebhookReceipt,
)
from payments.providers import sandbox
from payments.providers.services import payment as payments
from payments.shop.services import checkout as checkouts
from payments.shop.services import paying
from payments.tasks import settle_secured_payments
from tests.logistics.factories import make_level
from tests.partner_zone.factories import make_listing

from . import payment_factories as pf
from .paying_factories import (
    BUYER_FORM,
    CN_FORM,
    US_FORM,
    add_to_cart,
    balance,
    check_out,
    cn_partnership,
    ledger_kinds,
    order_of,
    payment_of,
    place,
    set_up_cn,
    set_up_us,
    unbalanced_transactions,
)
from .payment_factories import (
    charge_of,
    path_of,
    sandbox_webhooks_through_test_client,  # noqa: F401
    signed_headers,
)
from .shop_factories import own_variant, partner_listing

pytestmark = pytest.mark.django_db

S = Payment.State


@pytest.fixture
def cn(db, settings):
    return set_up_cn(settings)


@pytest.fixture
def us(db, settings):
    return set_up_us(settings)


def consignment_listing(warehouse, *, on_hand=3):
    """A `us` partner listing with consignment stock in our warehouse."""
    listing = partner_listing(direct_stock=0)
    make_level(warehouse=warehouse, sku=listing.variants[0]["sku"], owner=listing.partnership.partner, on_hand=on_hand)
    return listing


def world(order):
    """What a repeated or refused message must leave unchanged."""
    fresh = Order.objects.get(pk=order.pk)
    return {
        "order": (fresh.status, fresh.payment_reference, fresh.paid_at),
        "events": OrderEvent.objects.filter(order=order).count(),
        "ledger": LedgerTransaction.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "transitions": PaymentTransition.objects.count(),
        "calls": ProviderCall.objects.count(),
        "payments": list(Payment.objects.order_by("id").values_list("state", "captured_amount", "order_placed_at")),
        "shipments": Shipment.objects.count(),
    }


def wallet_order(client, warehouse):
    """A `cn` shopper's order of one own product (2 units) and one partner product held here, with
    its wallet payment waiting for the shopper's approval."""
    variant = own_variant(warehouse, stock=5, price="99.00")
    listing = consignment_listing(warehouse)
    add_to_cart(client, (variant, 2), (listing, 1))
    checkout = check_out(client, CN_FORM, **BUYER_FORM)
    placed = place(client, checkout)
    order = order_of(checkout)
    return order, payment_of(order), placed, listing


# --- the cn flow: the QR wallet ---------------------------------------------------------------------


def test_a_cn_shopper_pays_own_and_partner_goods_with_the_qr_wallet_and_the_order_is_paid(cn, client):
    order, payment, placed, listing = wallet_order(client, cn)

    # The shopper is sent to our payment page, for exactly the order's total, expiring with the order.
    assert placed.status_code == 302
    assert placed["Location"] == reverse("payments:payment", args=[payment.token])
    assert (payment.provider, payment.amount, payment.currency) == ("sandbox_wallet", order.total.amount, "CNY")
    assert payment.expires_at == order.payment_due_at
    assert payment.return_url == reverse("payments:order", args=[order.token])
    assert not OutboxMessage.objects.exists() and not LedgerTransaction.objects.exists()

    page = client.get(placed["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and 'class="qr"' in html
    approval = payment.next_action["qr_payload"]  # what the QR code encodes: the wallet's approval page
    assert approval == f"http://testserver/en/pay/sandbox/wallet/{payment.provider_payment_id}/"
    assert f'href="{approval}"' in html

    # The shopper scans the code and approves in the wallet app; its webhook reaches us, signed.
    assert client.get(path_of(approval)).status_code == 200
    assert client.post(path_of(approval), {"decision": "approve"}).status_code == 302
    assert [status for *_rest, status in pf.SENT] == [200, 200]  # payment.authorised, payment.captured

    # The payment page's poll sees it done and moves on to the order, which is paid.
    status = client.get(reverse("payments:payment-status", args=[payment.token])).json()
    assert status["done"] is True
    back = client.get(status["next"])
    assert back.status_code == 302 and back["Location"] == reverse("payments:order", args=[order.token])
    order_page = client.get(back["Location"]).content.decode()
    assert 'data-payment="paid"' in order_page and "data-pay-now" not in order_page

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and order.payment_reference == payment.token
    assert payment.state == S.CAPTURED and payment.captured_amount == order.total.amount
    assert payment.order_placed_at is not None
    assert charge_of(payment).status == SandboxCharge.Status.CAPTURED
    assert sorted(WebhookReceipt.objects.values_list("event_type", flat=True)) == [
        "payment.authorised",
        "payment.captured",
    ]
    assert [(t.from_state, t.to_state) for t in PaymentTransition.objects.order_by("id")] == [
        ("created", "pending"),
        ("pending", "authorised"),
        ("authorised", "captured"),
    ]
    assert list(order.events.values_list("kind", flat=True)) == ["placed", "paid", "forwarded"]

    # The ledger: each line's sale, and the captured money; every transaction balances; the
    # shopper's prepayment is used up, the provider holds the total, and we owe the partner.
    own_line, partner_line = order.lines.order_by("line_number")
    assert ledger_kinds() == {
        own_line.reference: "own_goods_sale",
        partner_line.reference: "partner_goods_sale",
        f"payment:{payment.token}:capture": "payment_captured",
        # our merchant's goods: its price owed to the merchant, less our commission
        f"merchant_sale:{own_line.reference}": "merchant_sale",
        f"merchant_commission:{own_line.reference}": "merchant_commission",
    }
    assert unbalanced_transactions() == {}
    assert balance("shopper_prepayments", "CNY") == 0
    assert balance("psp_clearing", "CNY") == order.total.amount
    partner_owed = partner_line.export_amount.amount * (1 - Decimal(str(listing.partnership.commission_rate)))
    assert balance("partner_balance", "USD", listing.partnership) == -partner_owed.quantize(Decimal("0.01"))

    # The partner line went to the partner through the outbox; the stock is allocated.
    message = OutboxMessage.objects.get()
    assert (message.message_type, message.partnership_id) == ("order.forwarded", listing.partnership_id)
    assert [line["reference"] for line in message.payload["lines"]] == [partner_line.reference]
    for line in (own_line, partner_line):
        shipment = Shipment.objects.get(order_line=line.reference)
        assert (shipment.kind, shipment.quantity) == ("local", line.quantity)
        assert (shipment.reservation.status, shipment.reservation.expires_at) == (Reservation.Status.ACTIVE, None)
    own_level = StockLevel.objects.get(sku=own_line.sku, owner__isnull=True)
    assert (own_level.on_hand, own_level.reserved) == (5, 2)


def test_a_duplicate_webhook_answers_as_the_first_and_changes_nothing(cn, client):
    order, payment, _placed, _listing = wallet_order(client, cn)
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    first = SandboxWebhook.objects.filter(charge__charge_id=payment.provider_payment_id).order_by("id").first()
    receipt = WebhookReceipt.objects.get(event_id=first.event_id)
    before = world(order)

    for _attempt in range(2):  # the provider resends it, signed afresh
        body = first.body.encode()
        again = client.post(
            reverse("payment_webhooks:receive", kwargs={"provider": "sandbox_wallet"}),
            data=body,
            content_type="application/json",
            headers=signed_headers("sandbox_wallet", body),
        )
        assert again.status_code == 200 and again.json() == receipt.result

    assert world(order) == before
    assert WebhookReceipt.objects.filter(event_id=first.event_id).count() == 1


def test_a_poll_beside_a_late_webhook_pays_the_order_once(cn, client):
    order, payment, _placed, _listing = wallet_order(client, cn)
    pf.OUTAGE["status"] = 503  # our endpoint is down: the sandbox's webhooks do not get through
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    assert Payment.objects.get(pk=payment.pk).state == S.PENDING

    # The payment page polls the provider: authorised, so the order is paid and the money captured.
    assert client.get(reverse("payments:payment-status", args=[payment.token])).json()["done"] is True
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Payment.objects.get(pk=payment.pk).state == S.CAPTURED
    before = world(order)

    # The webhooks get through later (authorised, then captured): old news, nothing changes.
    pf.OUTAGE["status"] = None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)  # the retry is due, the signature fresh
    assert sandbox.retry_due_webhooks(now=later) == {"delivered": 2, "failed": 0}
    assert world(order) == before
    # And the shop's hook, called again, finds its order paid by this payment.
    assert paying.place_paid_order(payment=Payment.objects.get(pk=payment.pk)).pk == order.pk
    assert world(order) == before
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1


def test_a_payment_that_placed_no_order_when_the_process_died_is_placed_by_the_beat(cn, client, monkeypatch):
    order, payment, _placed, _listing = wallet_order(client, cn)
    monkeypatch.setattr(payment_hooks.money_secured, "_subscribers", [])  # the hook never ran
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    assert Payment.objects.get(pk=payment.pk).state == S.AUTHORISED
    assert Order.objects.get(pk=order.pk).status == Order.Status.AWAITING_PAYMENT

    assert settle_secured_payments() == {"placed": 1, "captured": 0, "given_back": 0}

    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert Payment.objects.get(pk=payment.pk).state == S.CAPTURED
    assert settle_secured_payments() == {"placed": 0, "captured": 0, "given_back": 0}


def test_a_payment_authorised_after_the_order_expired_is_voided_and_charges_nobody(cn, client):
    variant = own_variant(cn, stock=5)
    add_to_cart(client, (variant, 1))
    checkout = check_out(client, CN_FORM)
    place(client, checkout)
    order = order_of(checkout)
    payment = payment_of(order)

    # The order's window passes and the beat expires it, giving its stock back...
    past_due = order.payment_due_at + dt.timedelta(minutes=1)
    assert checkouts.expire_checkouts(now=past_due) == (0, 1)
    level = StockLevel.objects.get(sku=variant.sku, owner__isnull=True)
    assert level.reserved == 0
    # ...then the shopper approves in the wallet (still open at the provider): the order refuses it.
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.state == S.AUTHORISED and payment.order_placed_at is None
    assert order.status == Order.Status.EXPIRED
    assert not LedgerTransaction.objects.exists() and not Shipment.objects.exists()
    page = client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert 'data-payment="expired"' in page and "data-pay-now" not in page
    assert settle_secured_payments() == {"placed": 0, "captured": 0, "given_back": 0}

    # The abandoned-payments beat voids the authorisation: nobody is charged without an order.
    grace = dt.timedelta(minutes=django_settings.PAYMENT_OPTIONS["ABANDONED_GRACE_MINUTES"] + 1)
    assert payments.void_abandoned_payments(now=payment.expires_at + grace) == {
        "voided": 1,
        "refunded": 0,
        "failed": 0,
    }
    payment.refresh_from_db()
    assert payment.state == S.CANCELLED and payment.captured_amount == 0
    assert charge_of(payment).status == SandboxCharge.Status.CANCELLED
    assert not LedgerTransaction.objects.exists() and not OutboxMessage.objects.exists()


def test_a_payment_the_beat_has_begun_to_void_places_no_order(cn, client, monkeypatch):
    order, payment, _placed, _listing = wallet_order(client, cn)
    monkeypatch.setattr(payment_hooks.money_secured, "_subscribers", [])
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    # The abandoned-payments beat recorded its intent to void, and has not reached the provider yet.
    ProviderCall.objects.create(
        payment=payment, operation="cancel", idempotency_key=f"{payment.token}:cancel", reason="abandoned"
    )

    assert paying.place_paid_order(payment=Payment.objects.get(pk=payment.pk)) is None

    assert Order.objects.get(pk=order.pk).status == Order.Status.AWAITING_PAYMENT
    assert Payment.objects.get(pk=payment.pk).order_placed_at is None
    assert not LedgerTransaction.objects.exists() and not OutboxMessage.objects.exists()


def test_a_total_posted_by_the_client_that_differs_is_refused_and_opens_no_payment(cn, client):
    variant = own_variant(cn, stock=5, price="99.00")
    add_to_cart(client, (variant, 1))
    checkout = check_out(client, CN_FORM)

    refused = place(client, checkout, total=checkout.total.amount - Decimal("0.01"))

    assert refused.status_code == 409
    assert "is not this quote&#x27;s total" in refused.content.decode()
    assert not Order.objects.exists() and not Payment.objects.exists() and not SandboxCharge.objects.exists()


def test_an_unknown_payment_method_is_refused_before_the_order_is_placed(cn, client):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM)

    refused = place(client, checkout, provider="banknotes")

    assert refused.status_code == 400
    assert "Choose one of the payment methods offered." in refused.content.decode()
    assert not Order.objects.exists() and not Payment.objects.exists()


def test_the_quote_offers_the_configured_methods_with_the_local_one_chosen(cn, client):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM)

    html = client.get(reverse("payments:quote", args=[checkout.reference])).content.decode()

    assert 'name="provider" value="sandbox_wallet" checked' in html
    assert 'name="provider" value="sandbox_card">' in html
    assert html.index("sandbox_wallet") < html.index("sandbox_card")


def test_the_shopper_may_choose_the_card_on_cn(cn, client):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM)

    placed = place(client, checkout, provider="sandbox_card")

    payment = payment_of(order_of(checkout))
    assert payment.provider == "sandbox_card"
    assert client.get(placed["Location"])["Location"] == payment.next_action["redirect_url"]


def test_an_order_awaiting_payment_offers_pay_now_which_returns_to_the_open_payment(
    cn, client, django_assert_max_num_queries
):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM)
    place(client, checkout)
    order = order_of(checkout)
    payment = payment_of(order)

    with django_assert_max_num_queries(9):
        page = client.get(reverse("payments:order", args=[order.token]))
    html = page.content.decode()
    assert 'data-payment="awaiting"' in html and "data-pay-now" in html
    assert f'action="{reverse("payments:pay", args=[order.token])}"' in html

    again = client.post(reverse("payments:pay", args=[order.token]), {"provider": "sandbox_wallet"})

    assert again["Location"] == reverse("payments:payment", args=[payment.token])
    assert Payment.objects.count() == 1


def test_pay_now_after_a_declined_payment_opens_a_new_one(cn, client):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM)
    place(client, checkout)
    order = order_of(checkout)
    declined = pf.decline(payment_of(order))
    assert declined.state == S.DECLINED

    again = client.post(reverse("payments:pay", args=[order.token]), {})

    fresh = Payment.objects.exclude(pk=declined.pk).get()
    assert again["Location"] == reverse("payments:payment", args=[fresh.token])
    assert (fresh.state, fresh.amount, fresh.expires_at) == (S.PENDING, order.total.amount, order.payment_due_at)


def test_pay_now_on_an_expired_order_is_refused(cn, client):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM)
    place(client, checkout)
    order = order_of(checkout)
    checkouts.expire_checkouts(now=order.payment_due_at + dt.timedelta(minutes=1))

    refused = client.post(reverse("payments:pay", args=[order.token]), {})

    assert refused.status_code == 409
    assert Payment.objects.count() == 1


def test_a_provider_that_does_not_answer_leaves_the_order_awaiting_payment_with_pay_now(cn, client, monkeypatch):
    add_to_cart(client, (own_variant(cn), 1))
    checkout = check_out(client, CN_FORM)

    def unreachable(self, request):
        raise sandbox.ProviderError("timeout", definitive=False)

    monkeypatch.setattr(sandbox.SandboxWallet, "create_payment", unreachable)
    placed = place(client, checkout)

    order = order_of(checkout)
    assert placed.status_code == 503
    html = placed.content.decode()
    assert "The payment provider did not answer" in html and "data-pay-now" in html
    assert order.status == Order.Status.AWAITING_PAYMENT


# --- the us flow: a card with its 3-D Secure challenge ----------------------------------------------


def test_a_us_shopper_pays_by_card_through_the_challenge_and_the_order_is_paid(us, client):
    variant = own_variant(us, stock=4, price="25.00")
    partnership = cn_partnership()
    listing = pricing.price_listing(
        make_listing(partnership, export_price=Money(Decimal("150.00"), "CNY"), direct_stock=5, hs_code="392410")
    )
    add_to_cart(client, (variant, 1), (listing, 2))
    checkout = check_out(client, US_FORM)
    assert (checkout.buyer_name, checkout.buyer_id_number) == ("", "")  # China's rules are not ours

    placed = place(client, checkout)
    order = order_of(checkout)
    payment = payment_of(order)
    assert (payment.provider, payment.amount, payment.currency) == ("sandbox_card", order.total.amount, "USD")

    # Our payment page sends the shopper on to the card issuer's challenge...
    challenge = client.get(placed["Location"])
    assert challenge.status_code == 302 and challenge["Location"] == payment.next_action["redirect_url"]
    assert "Verify your card payment" in client.get(path_of(challenge["Location"])).content.decode()
    # ...which, approved, sends a signed webhook and brings the shopper back to the order.
    passed = client.post(path_of(challenge["Location"]), {"decision": "approve"})
    assert passed["Location"] == f"http://testserver{reverse('payments:payment-return', args=[payment.token])}"
    back = client.get(path_of(passed["Location"]))
    assert back["Location"] == reverse("payments:order", args=[order.token])
    assert 'data-payment="paid"' in client.get(back["Location"]).content.decode()

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and payment.state == S.CAPTURED
    assert payment.captured_amount == order.total.amount
    own_line, partner_line = order.lines.order_by("line_number")
    assert ledger_kinds() == {
        own_line.reference: "own_goods_sale",
        partner_line.reference: "partner_goods_sale",
        f"payment:{payment.token}:capture": "payment_captured",
        # our merchant's goods: its price owed to the merchant, less our commission
        f"merchant_sale:{own_line.reference}": "merchant_sale",
        f"merchant_commission:{own_line.reference}": "merchant_commission",
    }
    assert unbalanced_transactions() == {}
    assert balance("shopper_prepayments", "USD") == 0
    assert balance("psp_clearing", "USD") == order.total.amount
    owed = (Decimal("300.00") * (1 - Decimal(str(partnership.commission_rate)))).quantize(Decimal("0.01"))
    assert balance("partner_balance", "CNY", partnership) == -owed
    message = OutboxMessage.objects.get()
    assert (message.message_type, message.partnership_id) == ("order.forwarded", partnership.pk)
    assert message.payload["lines"][0]["export_amount"] == {"amount": "300.00", "currency": "CNY"}
    assert Shipment.objects.get(order_line=own_line.reference).kind == "local"
    assert Shipment.objects.get(order_line=partner_line.reference).kind == "direct"
    # The capture's webhook arrived while the authorisation's was being handled (nested), both signed.
    assert sorted(json.loads(body)["type"] for _url, body, _headers, _status in pf.SENT) == [
        "payment.authorised",
        "payment.captured",
    ]
