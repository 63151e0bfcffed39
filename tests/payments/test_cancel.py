"""Cancelling an order before its goods ship (issue 13, item 9): a `cn` shopper's paid order of own
goods and a partner's consignment goods, paid with the QR wallet through the storefront, is
cancelled by the shopper (order page, shop API) or by ops (admin): the stock comes back, the
shipments are cancelled, the provider refunds once however often it is asked, every ledger event of
the payment is reversed by a transaction of its own (each account back to zero), and the partner is
told through the outbox. Once goods have shipped it is refused with the reason and nothing changes.
The exporter's side of the cancellation is at the end."""

import uuid
from collections import defaultdict
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from crossborder.errors import DomainError
from crossborder.models import OutboxMessage
from logistics.models import Reservation, Shipment, StockLevel
from logistics.services import last_leg
from partner_zone.models import PartnerListing
from payments.ledger.services import charges
from payments.models import (
    CustomsDeclaration,
    ForwardedOrder,
    LedgerTransaction,
    Order,
    OrderEvent,
    Payment,
    Posting,
    ProviderCall,
    SandboxCharge,
)
from payments.providers import ProviderError, get_provider
from payments.shop.services import cancel as cancels
from payments.shop.services import orders
from payments.tasks import settle_secured_payments
from tests.logistics.factories import make_level, make_warehouse
from tests.partners import table_counts

from .paying_factories import (
    BUYER_FORM,
    CN_FORM,
    add_to_cart,
    check_out,
    order_of,
    payment_of,
    place,
    set_up_cn,
    unbalanced_transactions,
)
from .payment_factories import charge_of, path_of, sandbox_webhooks_through_test_client  # noqa: F401
from .shop_factories import partner_listing

pytestmark = pytest.mark.django_db

S = Payment.State


@pytest.fixture
def cn(db, settings):
    return set_up_cn(settings)


def paid_order(client, warehouse, *, fulfilment_fee="1.50"):
    """A paid and captured `cn` order: 2 units of our own goods, 1 unit of the `us` partner's goods
    from its consignment stock here (the agreement bills a fulfilment fee per unit) and 2 units it
    ships direct. Returns the order, its payment and the partner listing."""
    from .shop_factories import own_variant

    variant = own_variant(warehouse, stock=5, price="99.00")
    held = partner_listing(direct_stock=0)
    partnership = held.partnership
    partnership.fee_schedule = {**partnership.fee_schedule, "fulfilment_per_unit": fulfilment_fee}
    partnership.save(update_fields=["fee_schedule"])
    make_level(warehouse=warehouse, sku=held.variants[0]["sku"], owner=partnership.partner, on_hand=3)
    direct = partner_listing(partnership, direct_stock=4)
    add_to_cart(client, (variant, 2), (held, 1), (direct, 2))
    checkout = check_out(client, CN_FORM, **BUYER_FORM)
    place(client, checkout)
    order = order_of(checkout)
    payment = payment_of(order)
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.state) == (Order.Status.PAID, S.CAPTURED)
    return order, payment, held


def account_balances():
    """Every ledger account's balance that is not zero: {(code, currency): amount}, summed as
    Decimal here (SQLite would sum in floating point)."""
    sums = defaultdict(Decimal)
    for code, currency, amount in Posting.objects.values_list("account__code", "currency", "amount"):
        sums[(code, currency)] += amount
    return {key: total for key, total in sums.items() if total != 0}


def world(order):
    """What a refused cancellation must leave as it was."""
    fresh = Order.objects.get(pk=order.pk)
    return {
        "tables": table_counts(),
        "order": fresh.status,
        "payments": list(Payment.objects.order_by("pk").values_list("state", "refunded_amount")),
        "shipments": sorted(Shipment.objects.values_list("order_line", "status")),
        "levels": sorted(StockLevel.objects.values_list("sku", "on_hand", "reserved", "picked")),
    }


def test_cancelling_a_paid_order_gives_the_stock_and_money_back_reverses_the_books_and_tells_the_partner(cn, client):
    order, payment, held = paid_order(client, cn)
    own_line, held_line, direct_line = order.lines.order_by("line_number")
    originals = set(LedgerTransaction.objects.values_list("reference", flat=True))
    assert f"{held_line.reference}:fulfilment" in originals  # the fee was billed when it was paid
    direct_stock = PartnerListing.objects.get(pk=direct_line.listing_id).direct_stock

    cancelled = cancels.cancel_order(order=order, reason="changed my mind", by="shopper")

    # The order is cancelled; every delivery is called off and the held units are for sale again.
    assert cancelled.status == Order.Status.CANCELLED
    assert set(Shipment.objects.values_list("status", flat=True)) == {Shipment.Status.CANCELLED}
    assert set(Reservation.objects.values_list("status", flat=True)) == {Reservation.Status.RELEASED}
    for level in StockLevel.objects.all():
        assert level.reserved == 0 and level.picked == 0
    assert StockLevel.objects.get(sku=own_line.sku, owner__isnull=True).on_hand == 5
    assert PartnerListing.objects.get(pk=direct_line.listing_id).direct_stock == direct_stock + 2
    assert CustomsDeclaration.objects.get(order=order).status == CustomsDeclaration.Status.CANCELLED

    # The shopper's money went back through the provider, once.
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (S.REFUNDED, order.total.amount)
    assert charge_of(payment).refunded_amount == order.total.amount
    refunds = ProviderCall.objects.filter(payment=payment, operation="refund")
    assert list(refunds.values_list("idempotency_key", "status")) == [(f"{payment.token}:order-cancelled", "succeeded")]

    # The books: each event the payment posted is reversed by a transaction of its own (the original
    # stays as it was), the refund is posted, and every account is back to zero in each currency.
    reversals = LedgerTransaction.objects.filter(reverses__isnull=False)
    assert sorted(reversals.values_list("reference", flat=True)) == sorted(
        f"reversal:{reference}" for reference in originals if not reference.startswith("payment:")
    )
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1
    assert unbalanced_transactions() == {}
    assert account_balances() == {}

    # The partner hears of it after the order and the fee, with the lines it concerns.
    messages = list(OutboxMessage.objects.order_by("seq").values_list("message_type", "payload"))
    assert [kind for kind, _payload in messages] == ["charge.notice", "order.forwarded", "order.status"]
    status = messages[-1][1]
    assert status == {
        "order": str(order.reference),
        "status": "cancelled",
        "reason": "changed my mind",
        "lines": [held_line.reference, direct_line.reference],
    }
    event = order.events.get(kind=OrderEvent.Kind.CANCELLED)
    assert (event.detail["by"], event.detail["reason"]) == ("shopper", "changed my mind")

    # Cancelling again changes nothing and refunds nothing more.
    before = world(order)
    cancels.cancel_order(order=order, by="shopper")
    assert world(order) == before
    assert refunds.count() == 1


def test_a_refund_the_provider_did_not_confirm_is_asked_again_with_the_same_key_by_the_beat(cn, client, monkeypatch):
    order, payment, _held = paid_order(client, cn)
    provider = type(get_provider(payment.provider))
    real_refund = provider.refund

    def unreachable(self, *args, **kwargs):
        raise ProviderError("timed out", definitive=False)

    monkeypatch.setattr(provider, "refund", unreachable)
    cancels.cancel_order(order=order)  # cancelled; the refund's intent recorded, its outcome unknown
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    call = ProviderCall.objects.get(payment=payment, operation="refund")
    assert call.status == "pending"
    assert cancels.refund_status(order).status == "pending"

    monkeypatch.setattr(provider, "refund", real_refund)
    assert settle_secured_payments()["given_back"] == 1

    payment.refresh_from_db()
    assert payment.state == S.REFUNDED and charge_of(payment).refunded_amount == order.total.amount
    assert list(ProviderCall.objects.filter(payment=payment, operation="refund").values_list("pk", flat=True)) == [
        call.pk
    ]
    assert settle_secured_payments()["given_back"] == 0
    assert account_balances() == {}


def test_an_order_paid_but_not_yet_captured_is_voided_not_refunded_and_never_captured(cn, client, monkeypatch):
    from payments.shop.services import paying

    monkeypatch.setattr(paying, "capture", lambda payment: payment)  # the capture has not happened yet
    from .shop_factories import own_variant

    add_to_cart(client, (own_variant(cn, stock=3), 1))
    checkout = check_out(client, CN_FORM)
    place(client, checkout)
    order = order_of(checkout)
    payment = payment_of(order)
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    assert (Order.objects.get(pk=order.pk).status, Payment.objects.get(pk=payment.pk).state) == ("paid", S.AUTHORISED)
    monkeypatch.undo()

    cancels.cancel_order(order=order)

    payment.refresh_from_db()
    assert payment.state == S.CANCELLED and payment.captured_amount == 0
    assert charge_of(payment).status == SandboxCharge.Status.CANCELLED
    assert settle_secured_payments()["captured"] == 0
    assert cancels.refund_status(order).status == "voided"
    assert account_balances() == {}


def _ship(shipment):
    last_leg.pick_shipment(shipment)
    last_leg.pack_shipment(shipment)
    return last_leg.ship_shipment(shipment)


def test_an_order_with_a_shipped_parcel_cannot_be_cancelled_and_nothing_changes(cn, client):
    order, _payment, _held = paid_order(client, cn)
    _ship(Shipment.objects.get(order_line=order.lines.get(line_number=1).reference))
    before = world(order)

    with pytest.raises(DomainError) as refused:
        cancels.cancel_order(order=order, by="shopper")

    assert (refused.value.status, refused.value.field) == (409, "order")
    assert "shipped" in refused.value.detail and "return" in refused.value.detail
    assert world(order) == before


def test_an_order_the_partner_reported_shipped_cannot_be_cancelled(cn, client):
    order, _payment, held = paid_order(client, cn)
    orders.receive_order_status(
        partnership=held.partnership,
        payload={"order": str(order.reference), "status": "shipped", "lines": [], "reason": ""},
    )
    before = world(order)

    with pytest.raises(DomainError) as refused:
        cancels.cancel_order(order=order)

    assert "return" in refused.value.detail
    assert world(order) == before


def test_an_unpaid_order_is_cancelled_with_its_stock_back_and_its_open_payment_voided(cn, client):
    from .shop_factories import own_variant

    variant = own_variant(cn, stock=3)
    add_to_cart(client, (variant, 1))
    checkout = check_out(client, CN_FORM)
    place(client, checkout)
    order = order_of(checkout)

    cancels.cancel_order(order=order, by="shopper")

    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert StockLevel.objects.get(sku=variant.sku).reserved == 0
    payment = payment_of(order)
    assert payment.state == S.CANCELLED  # the shopper can no longer approve it at the provider
    assert cancels.refund_status(order).status == "none"
    assert not LedgerTransaction.objects.exists()


def test_cancelling_an_order_at_a_campaign_price_reverses_the_partners_share_of_the_discount(cn):
    import datetime as dt

    from django.utils import timezone

    from partner_zone.models import Campaign
    from partner_zone.services import pricing
    from payments.shop.services import checkout as checkouts

    from .shop_factories import BUYER, cart_with, checkout_of

    listing = partner_listing(export_price="20.00")
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        partnership=listing.partnership,
        status=Campaign.Status.ACCEPTED,
        title="Black Friday",
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        suggested_discount_percent=Decimal("20"),
        discount_percent=Decimal("20"),
        partner_share_percent=Decimal("50"),
    )
    campaign.listings.add(listing)
    listing = pricing.price_listing(listing)
    checkout = checkout_of(cart_with((listing, 2)), **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    orders.mark_paid(order=order, payment_reference="pay-1")
    share = f"{order.lines.get().reference}:campaign-share"
    assert LedgerTransaction.objects.filter(reference=share).exists()

    cancels.cancel_order(order=order)

    assert LedgerTransaction.objects.get(reference=f"reversal:{share}").reverses.reference == share
    assert account_balances() == {}  # no payment at a provider here: the sales and the share net to zero


def test_a_reason_with_control_characters_is_refused_naming_the_field_and_nothing_changes(cn, client):
    order, _payment, _held = paid_order(client, cn)
    before = world(order)

    answer = client.post(
        reverse("shop_api:cancel", args=[order.token]), {"reason": "oops\x07"}, content_type="application/json"
    )

    assert answer.status_code == 400 and answer.json()["field"] == "reason"
    assert world(order) == before


def test_a_lapsed_order_has_nothing_to_cancel(cn, client):
    from payments.shop.services import checkout as checkouts

    from .shop_factories import own_variant

    add_to_cart(client, (own_variant(cn, stock=3), 1))
    checkout = check_out(client, CN_FORM)
    place(client, checkout)
    order = order_of(checkout)
    checkouts.expire_checkouts(now=order.payment_due_at)

    with pytest.raises(DomainError) as refused:
        cancels.cancel_order(order=order)

    assert refused.value.status == 409 and "nothing to cancel" in refused.value.detail
    assert Order.objects.get(pk=order.pk).status == Order.Status.EXPIRED


# --- the shopper, on the order page and through the shop API ------------------------------------------


def _csrf(client, url):
    page = client.get(url)
    html = page.content.decode()
    marker = 'name="csrfmiddlewaretoken" value="'
    return page, html[html.index(marker) + len(marker) :].split('"', 1)[0]


def test_the_shopper_cancels_from_the_order_page_after_confirming_and_sees_the_refund(cn, client):
    order, payment, _held = paid_order(client, cn)
    shopper = Client(enforce_csrf_checks=True)  # another device: the token is the access
    order_url = reverse("payments:order", args=[order.token])
    cancel_url = reverse("payments:cancel", args=[order.token])

    assert f'href="{cancel_url}"' in shopper.get(order_url).content.decode()
    confirm, token = _csrf(shopper, cancel_url)
    assert confirm.status_code == 200 and "data-confirm-cancel" in confirm.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID  # asking is not cancelling

    assert shopper.post(cancel_url, {"reason": "too slow"}).status_code == 403  # no CSRF token
    done = shopper.post(cancel_url, {"reason": "too slow", "csrfmiddlewaretoken": token})

    assert done.status_code == 302 and done["Location"] == order_url
    page = shopper.get(order_url).content.decode()
    assert 'data-status="cancelled"' in page and 'data-refund="refunded"' in page
    assert "data-cancel-order" not in page
    assert Payment.objects.get(pk=payment.pk).state == S.REFUNDED


def test_the_cancel_confirmation_and_the_cancelled_order_page_run_a_fixed_number_of_queries(
    cn, client, django_assert_max_num_queries
):
    order, _payment, _held = paid_order(client, cn)
    shopper = Client()

    with django_assert_max_num_queries(5):  # the order, its lines and timeline, shipped or reported shipped
        assert shopper.get(reverse("payments:cancel", args=[order.token])).status_code == 200
    cancels.cancel_order(order=order)
    with django_assert_max_num_queries(
        8
    ):  # the order page's (with its priced extras), and its checkout's payments for the refund
        page = shopper.get(reverse("payments:order", args=[order.token])).content.decode()
    assert 'data-refund="refunded"' in page


def test_the_order_page_offers_no_cancel_once_shipped_and_a_forced_post_says_why(cn, client):
    order, _payment, _held = paid_order(client, cn)
    _ship(Shipment.objects.get(order_line=order.lines.get(line_number=1).reference))
    cancel_url = reverse("payments:cancel", args=[order.token])

    assert "data-cancel-order" not in client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert "data-cancel-refused" in client.get(cancel_url).content.decode()
    refused = client.post(cancel_url)
    assert refused.status_code == 409 and "return" in refused.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_the_shop_api_cancels_an_unshipped_order_once_and_refuses_a_shipped_one(cn, client):
    order, payment, _held = paid_order(client, cn)
    url = reverse("shop_api:cancel", args=[order.token])

    first = client.post(url, {"reason": "ordered twice"}, content_type="application/json")
    again = client.post(url, {}, content_type="application/json")

    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["status"], body["payment_url"]) == ("cancelled", None)
    assert body["refund"] == {
        "status": "refunded",
        "amount": {"amount": str(order.total.amount), "currency": "CNY"},
    }
    assert again.status_code == 200 and again.json()["refund"] == body["refund"]
    assert ProviderCall.objects.filter(payment=payment, operation="refund").count() == 1

    shipped, _payment, _held = paid_order(client, cn)
    _ship(Shipment.objects.get(order_line=shipped.lines.get(line_number=1).reference))
    refused = client.post(reverse("shop_api:cancel", args=[shipped.token]), {}, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "order_state" and refused.json()["field"] == "order"
    unknown = client.post(reverse("shop_api:cancel", args=["no-such-token"]), {}, content_type="application/json")
    assert unknown.status_code == 404


def test_the_shop_api_schema_documents_the_cancellation_and_its_answers(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/shop/v1/orders/{token}/cancel/"]["post"]
    assert {"200", "404", "409"} <= set(operation["responses"])


def test_ops_cancel_from_the_admin_with_the_same_rules(cn, client, admin_client):
    order, payment, _held = paid_order(client, cn)
    changelist = reverse("admin:payments_order_changelist")

    answer = admin_client.post(changelist, {"action": "cancel_orders", "_selected_action": [order.pk]}, follow=True)

    assert answer.status_code == 200
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert Payment.objects.get(pk=payment.pk).state == S.REFUNDED
    assert order.events.get(kind=OrderEvent.Kind.CANCELLED).detail["by"] == "ops"


def test_ops_cannot_turn_a_paid_order_into_a_cancelled_one_without_the_refund(cn, client):
    order, _payment, _held = paid_order(client, cn)

    with pytest.raises(DomainError):
        orders.change_order_status(order=order, status=Order.Status.CANCELLED)

    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


# --- the exporter's side ---------------------------------------------------------------------------


def _forwarded(remote_partnership, *, fulfilment="direct"):
    number = str(uuid.uuid4().int)[:6]
    return {
        "order": str(uuid.uuid4()),
        "number": number,
        "placed_at": "2026-11-30T10:00:00+08:00",
        "lines": [
            {
                "reference": f"order:us:{number}:1",
                "product": str(uuid.uuid4()),
                "sku": "MUG-1",
                "title": "Mug",
                "quantity": 2,
                "fulfilment": fulfilment,
                "export_amount": {"amount": "40.00", "currency": "CNY"},
            }
        ],
        "recipient": {"name": "Ann", "address_lines": ["1 Main St"], "city": "Austin", "country": "US"},
    }


def test_the_exporter_receiving_the_cancellation_reverses_its_postings_and_cancels_what_it_has_not_shipped(remote, api):
    body = _forwarded(remote.partnership, fulfilment="consignment")
    reference = body["lines"][0]["reference"]
    assert remote.post_message(api, "order.forwarded", body).status_code == 200
    fee = {"reference": f"{reference}:fulfilment", "kind": "logistics_fee", "amount": "3.00", "currency": "CNY"}
    assert remote.post_message(api, charges.CHARGE, fee).status_code == 200
    # Our own delivery of the line, not shipped yet (the exporter's fulfilment of forwarded lines).
    warehouse = make_warehouse(country="CN")
    make_level(warehouse=warehouse, sku="MUG-1", on_hand=5)
    shipment = last_leg.allocate_local(order_line=reference, sku="MUG-1", quantity=2, recipient=body["recipient"])
    assert account_balances() != {}

    cancel = {"order": body["order"], "status": "cancelled", "reason": "shopper cancelled", "lines": [reference]}
    answer = remote.post_message(api, "order.status", cancel)
    repeat = remote.post_message(api, "order.status", cancel)  # a new message with the same news

    assert answer.status_code == 200 and repeat.status_code == 200
    assert ForwardedOrder.objects.get().status == "cancelled"
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.CANCELLED
    assert StockLevel.objects.get(sku="MUG-1").reserved == 0
    assert sorted(LedgerTransaction.objects.filter(reverses__isnull=False).values_list("reference", flat=True)) == [
        f"reversal:{reference}",
        f"reversal:{reference}:fulfilment",
    ]
    assert account_balances() == {}
    assert not OutboxMessage.objects.exists()


def test_a_line_the_exporter_shipped_before_the_cancellation_arrived_is_kept_and_reported_shipped(remote, api):
    body = _forwarded(remote.partnership, fulfilment="consignment")
    reference = body["lines"][0]["reference"]
    remote.post_message(api, "order.forwarded", body)
    warehouse = make_warehouse(country="CN")
    make_level(warehouse=warehouse, sku="MUG-1", on_hand=5)
    _ship(last_leg.allocate_local(order_line=reference, sku="MUG-1", quantity=2, recipient=body["recipient"]))
    sold = account_balances()

    cancel = {"order": body["order"], "status": "cancelled", "reason": "", "lines": [reference]}
    assert remote.post_message(api, "order.status", cancel).status_code == 200

    assert account_balances() == sold  # not reversed: settlement shows the difference as a dispute
    assert ForwardedOrder.objects.get().status == "shipped"
    reply = OutboxMessage.objects.get()
    assert (reply.message_type, reply.payload["status"], reply.payload["lines"]) == (
        "order.status",
        "shipped",
        [reference],
    )


def test_the_importers_cancellation_message_is_what_the_exporters_side_accepts(cn, client):
    order, _payment, _held = paid_order(client, cn)
    cancels.cancel_order(order=order)
    message = OutboxMessage.objects.filter(message_type="order.status").get()

    from crossborder import messages

    payload = messages.get("order.status").payload_serializer(data=message.payload)
    assert payload.is_valid(), payload.errors
    assert payload.validated_data["lines"] == message.payload["lines"]
