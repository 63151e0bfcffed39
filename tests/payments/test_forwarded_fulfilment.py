"""The exporter fulfils a direct order a partner forwarded: our own stock is reserved for its lines on
receipt, ops pick, pack and ship it from the forwarded-order admin with a carrier (our stock goes
down), and the tracking and the lines' status go back to the partner through the outbox, then the
carrier's later events too; the importer shows the relayed tracking on its shopper's order page."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from djmoney.money import Money

from catalog import services as catalog_services
from catalog.models import ExportOffer
from crossborder import messages
from crossborder.models import OutboxMessage
from logistics import hooks
from logistics.models import Shipment, StockLevel
from logistics.services import last_leg, stock
from payments.models import ForwardedLine, ForwardedOrder
from payments.shop.models import Fulfilment
from payments.shop.services import checkout as checkouts
from payments.shop.services import forwarded, orders
from tests.catalog.factories import make_user

from .shop_factories import BUYER, cart_with, checkout_of, own_variant, partner_listing, set_up_shop

pytestmark = pytest.mark.django_db

RECIPIENT = {
    "name": "Ann Lee",
    "phone": "+1 512 555 0100",
    "address_lines": ["1 Main St"],
    "country_area": "TX",
    "city": "Austin",
    "postcode": "78701",
    "country": "US",
}
LINE = "order:us:5001:1"


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def forwarded_body(variant, *, quantity=2, fulfilment="direct"):
    return {
        "order": str(uuid.uuid4()),
        "number": "5001",
        "placed_at": "2026-11-30T10:00:00-06:00",
        "lines": [
            {
                "reference": LINE,
                "product": str(variant.product.reference),
                "sku": variant.sku,
                "title": "Enamel mug",
                "quantity": quantity,
                "fulfilment": fulfilment,
                "export_amount": {"amount": "40.00", "currency": "CNY"},
            }
        ],
        "recipient": RECIPIENT if fulfilment == "direct" else {},
    }


def own_level(variant):
    level = StockLevel.objects.get(owner__isnull=True, sku=variant.sku)
    return level.on_hand, level.reserved


def outbox(message_type):
    return [message.payload for message in OutboxMessage.objects.filter(message_type=message_type).order_by("seq")]


def ship_from_admin(client, order, carrier="sandbox"):
    return client.post(
        reverse("admin:payments_forwardedorder_changelist"),
        {"action": "ship", "_selected_action": [order.pk], "carrier": carrier},
    )


def test_the_order_side_follows_our_parcels_to_partners_shoppers_at_start_up():
    assert forwarded.shipment_progressed in hooks.partner_shipment_progressed.subscribers


def test_a_forwarded_direct_order_reserves_our_own_stock_for_its_lines(shop, remote, api):
    variant = own_variant(shop, stock=5)
    body = forwarded_body(variant, quantity=2)

    assert remote.post_message(api, orders.FORWARDED_MESSAGE, body).status_code == 200

    assert own_level(variant) == (5, 2)
    shipment = Shipment.objects.get(order_line=LINE)
    assert (shipment.kind, shipment.status, shipment.partnership) == ("local", "allocated", remote.partnership)
    assert shipment.recipient["city"] == "Austin" and shipment.stock.warehouse == shop
    line = ForwardedLine.objects.get()
    assert (line.reference, line.sku, line.quantity, line.status) == (LINE, variant.sku, 2, "allocated")
    assert line.export_amount == Money("40.00", "CNY")  # what the partner owes us for it, as it sent it


def test_lines_received_before_export_amounts_were_kept_get_them_from_their_orders_json(shop, remote, api):
    import importlib

    from django.apps import apps

    variant = own_variant(shop, stock=5)
    assert remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant)).status_code == 200
    ForwardedLine.objects.update(export_amount=None, export_amount_currency=None)

    migration = importlib.import_module("payments.migrations.0018_forwarded_line_export_amount")
    migration.from_the_orders_json(apps, None)

    assert ForwardedLine.objects.get().export_amount == Money("40.00", "CNY")


def test_shipping_from_the_admin_reduces_our_stock_and_relays_tracking_and_status_then_carrier_events(
    shop, remote, api, admin_client
):
    variant = own_variant(shop, stock=5)
    body = forwarded_body(variant, quantity=2)
    remote.post_message(api, orders.FORWARDED_MESSAGE, body)
    order = ForwardedOrder.objects.get()

    response = ship_from_admin(admin_client, order)

    assert response.status_code == 302
    assert own_level(variant) == (3, 0)
    shipment = Shipment.objects.get(order_line=LINE)
    assert shipment.status == "shipped" and shipment.tracking_number.startswith("SBX")
    [tracking] = outbox(last_leg.TRACKING_MESSAGE)
    assert (tracking["order_line"], tracking["sku"], tracking["carrier"]) == (LINE, variant.sku, "sandbox")
    assert tracking["tracking_number"] == shipment.tracking_number
    assert [event["status"] for event in tracking["events"]] == ["shipped"]
    assert outbox(orders.STATUS_MESSAGE) == [
        {"order": body["order"], "status": "shipped", "reason": "", "lines": [LINE]}
    ]
    order.refresh_from_db()
    assert order.status == "shipped" and ForwardedLine.objects.get().status == "shipped"

    # Two days on the carrier reports the parcel delivered: the partner hears that too.
    last_leg.poll_carrier_events(now=timezone.now() + dt.timedelta(days=3))

    later = outbox(last_leg.TRACKING_MESSAGE)[1]
    assert [event["status"] for event in later["events"]][-1] == "delivered"
    assert outbox(orders.STATUS_MESSAGE)[-1]["status"] == "delivered"
    order.refresh_from_db()
    assert order.status == "delivered" and ForwardedLine.objects.get().status == "delivered"
    assert own_level(variant) == (3, 0)


def test_a_line_we_cannot_stock_is_recorded_awaiting_stock_and_allocated_once_stock_arrives(
    shop, remote, api, admin_client
):
    variant = own_variant(shop, stock=1)
    remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant, quantity=3))

    line = ForwardedLine.objects.get()
    assert line.status == "awaiting_stock" and variant.sku in line.problem
    assert own_level(variant) == (1, 0) and not Shipment.objects.exists()

    stock.receive(StockLevel.objects.get(owner__isnull=True, sku=variant.sku), 5, reference="restock-1")
    admin_client.post(
        reverse("admin:payments_forwardedorder_changelist"),
        {"action": "allocate", "_selected_action": [line.order_id]},
    )

    line.refresh_from_db()
    assert line.status == "allocated" and line.problem == ""
    assert own_level(variant) == (6, 3)


def test_lines_the_partner_serves_from_our_consignment_stock_need_nothing_from_us(shop, remote, api):
    variant = own_variant(shop, stock=5)

    remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant, fulfilment="consignment"))

    assert ForwardedLine.objects.get().status == "partner_ships"
    assert not Shipment.objects.exists() and own_level(variant) == (5, 0)


def test_the_forwarded_order_admin_shows_lines_and_recipient_readably_not_as_json(shop, remote, api, admin_client):
    variant = own_variant(shop, stock=5)
    remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant))
    order = ForwardedOrder.objects.get()

    listing = admin_client.get(reverse("admin:payments_forwardedorder_changelist")).content.decode()
    page = admin_client.get(reverse("admin:payments_forwardedorder_change", args=[order.pk])).content.decode()

    with translation.override(page.split('lang="', 1)[1].split('"', 1)[0]):
        allocated = str(ForwardedLine.Status.ALLOCATED.label)
    assert "5001" in listing and 'value="ship"' in listing and 'name="carrier"' in listing
    for shown in ("Ann Lee", "1 Main St", "Austin", "78701", variant.sku, "Enamel mug", allocated):
        assert shown in page
    assert "address_lines" not in page and "export_amount" not in page


def test_an_unknown_carrier_is_refused_naming_it_and_nothing_ships(shop, remote, api):
    variant = own_variant(shop, stock=5)
    remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant))

    with pytest.raises(Exception) as refused:
        forwarded.ship(forwarded=ForwardedOrder.objects.get(), carrier="pigeon")

    assert refused.value.field == "carrier" and "pigeon" in refused.value.detail
    assert Shipment.objects.get().status == "allocated" and not outbox(last_leg.TRACKING_MESSAGE)


def test_the_importer_shows_the_tracking_the_exporter_relays_on_the_shoppers_order_page(shop, client):
    listing = partner_listing(direct_stock=5)
    checkout = checkout_of(cart_with((listing, 1)), **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    orders.mark_paid(order=order, payment_reference="pay-1")
    line = order.lines.get()
    # What the exporter's relay sends (its own service builds the message) ...
    message = last_leg.send_direct_tracking(
        partnership=listing.partnership,
        order_line=line.reference,
        sku=line.sku,
        carrier="sandbox",
        tracking_number="SBX0123456789AB",
        events=[{"event_id": "x-shipped", "status": "shipped", "occurred_at": timezone.now()}],
    )
    kind = messages.get(last_leg.TRACKING_MESSAGE)
    payload = kind.payload_serializer(data=message.payload)
    payload.is_valid(raise_exception=True)

    # ... is what the importer records and shows its shopper.
    kind.handler(partnership=listing.partnership, payload=payload.validated_data, seq=1)

    page = client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert "sandbox SBX0123456789AB" in page[page.index('class="deliveries"') :]
    assert Shipment.objects.get(order_line=line.reference).status == "shipped"


def test_the_forwarded_order_page_names_who_ships_each_line_in_our_words_and_offers_no_save(
    shop, remote, api, admin_client
):
    variant = own_variant(shop, stock=5)
    body = forwarded_body(variant)
    body["lines"].append({**body["lines"][0], "reference": "order:us:5001:2", "fulfilment": "consignment"})
    remote.post_message(api, orders.FORWARDED_MESSAGE, body)
    order = ForwardedOrder.objects.get()

    page = admin_client.get(reverse("admin:payments_forwardedorder_change", args=[order.pk])).content.decode()
    posted = admin_client.post(reverse("admin:payments_forwardedorder_change", args=[order.pk]), {"number": "x"})

    with translation.override(page.split('lang="', 1)[1].split('"', 1)[0]):
        ours = escape(translation.gettext("us, cross-border direct to the partner's shopper"))
        theirs = escape(translation.gettext("the partner, from our consignment stock in its warehouse"))
        importers = escape(str(Fulfilment.DIRECT.label))
    assert ours in page and theirs in page and importers not in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page
    assert posted.status_code == 403 and ForwardedOrder.objects.get().number == order.number


def test_the_merchant_and_the_admin_name_the_carrier_a_line_shipped_with(shop, remote, api, client, admin_client):
    variant = own_variant(shop, stock=5)
    remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant))
    merchant = merchant_client(client, variant)
    line = ForwardedLine.objects.get()
    merchant.post(ship_url(line), {"carrier": "sandbox", "tracking_number": "MY-9"})

    page = merchant.get(reverse("payments:merchant-orders")).content.decode()
    admin_page = admin_client.get(
        reverse("admin:payments_forwardedorder_change", args=[line.order_id])
    ).content.decode()

    assert "Sandbox Express MY-9" in page and "sandbox MY-9" not in page
    assert "Sandbox Express MY-9" in admin_page


def test_staff_without_the_change_permission_cannot_ship(shop, remote, api, client):
    variant = own_variant(shop, stock=5)
    remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant))
    viewer = make_user(is_staff=True)
    client.force_login(viewer)

    ship_from_admin(client, ForwardedOrder.objects.get())

    assert Shipment.objects.get().status == "allocated" and own_level(variant) == (5, 2)


def ship_url(line):
    return reverse("payments:merchant-fulfil", args=["abroad", line.pk, "ship"])


def merchant_client(client, variant):
    user = make_user()
    variant.product.merchant.users.add(user, through_defaults={"role": "fulfilment"})
    client.force_login(user)
    return client


def test_a_merchant_ships_its_own_forwarded_line_with_its_carrier_booking(shop, remote, api, client):
    variant = own_variant(shop, stock=5)
    remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant, quantity=2))
    merchant = merchant_client(client, variant)
    line = ForwardedLine.objects.get()

    page = merchant.get(reverse("payments:merchant-orders")).content.decode()
    line_page = merchant.get(reverse("payments:merchant-order-line", args=["abroad", line.pk])).content.decode()
    response = merchant.post(ship_url(line), {"carrier": "sandbox", "tracking_number": "MY-123"})

    assert LINE in page and "Ann Lee" in line_page and ship_url(line) in line_page
    assert response.status_code == 302
    shipment = Shipment.objects.get(order_line=LINE)
    assert (shipment.status, shipment.carrier, shipment.tracking_number) == ("shipped", "sandbox", "MY-123")
    assert own_level(variant) == (3, 0)
    assert outbox(last_leg.TRACKING_MESSAGE)[0]["tracking_number"] == "MY-123"
    assert outbox(orders.STATUS_MESSAGE)[0]["status"] == "shipped"


def test_a_merchant_cannot_see_or_ship_another_merchants_line(shop, remote, api, client):
    variant = own_variant(shop, stock=5)
    remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant))
    other = merchant_client(client, own_variant(shop, stock=1))
    line = ForwardedLine.objects.get()

    page = other.get(reverse("payments:merchant-orders")).content.decode()
    response = other.post(ship_url(line), {"carrier": "sandbox", "tracking_number": "MY-1"})

    assert LINE not in page and response.status_code == 404
    assert Shipment.objects.get().status == "allocated" and own_level(variant) == (5, 2)


def test_a_cancellation_from_the_partner_gives_back_the_stock_of_lines_not_shipped(shop, remote, api):
    variant = own_variant(shop, stock=5)
    body = forwarded_body(variant, quantity=2)
    remote.post_message(api, orders.FORWARDED_MESSAGE, body)
    forwarded.pick(forwarded=ForwardedOrder.objects.get())

    response = remote.post_message(api, orders.STATUS_MESSAGE, {"order": body["order"], "status": "cancelled"})

    assert response.status_code == 200
    assert own_level(variant) == (5, 0)
    assert Shipment.objects.get().status == "cancelled" and ForwardedLine.objects.get().status == "cancelled"


def test_a_forwarded_direct_line_takes_its_units_from_the_offers_stock_for_direct_sale(shop, remote, api):
    variant = own_variant(shop, stock=5)
    product = variant.product
    catalog_services.set_export_offer(
        merchant=product.merchant,
        product=product,
        partnership=remote.partnership,
        is_offered=True,
        export_price=Money(Decimal("20.00"), "CNY"),
        direct_stock=4,
    )
    before = ExportOffer.objects.get(product=product)

    remote.post_message(api, orders.FORWARDED_MESSAGE, forwarded_body(variant, quantity=3))

    offer = ExportOffer.objects.get(product=product)
    assert offer.direct_stock == 1 and offer.version == before.version + 1 and offer.changed_at > before.changed_at


def test_the_forwarded_order_pages_run_a_fixed_number_of_queries(
    shop, remote, api, admin_client, client, django_assert_max_num_queries
):
    variant = own_variant(shop, stock=20)

    def forward(number, lines):
        body = forwarded_body(variant, quantity=1)
        body["number"] = number
        body["lines"] = [{**body["lines"][0], "reference": f"order:us:{number}:{n}"} for n in range(1, lines + 1)]
        remote.post_message(api, orders.FORWARDED_MESSAGE, body)
        return ForwardedOrder.objects.get(number=number)

    def pages(order):
        return {
            "admin list": (admin_client, reverse("admin:payments_forwardedorder_changelist")),
            "admin order": (admin_client, reverse("admin:payments_forwardedorder_change", args=[order.pk])),
            "merchant": (merchant, reverse("payments:merchant-orders")),
        }

    merchant = merchant_client(client, variant)
    baseline = {}
    for name, (browser, url) in pages(forward("6001", 1)).items():
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(url).status_code == 200
        baseline[name] = len(queries)

    bigger = forward("6002", 3)
    forward("6003", 2)
    assert ForwardedLine.objects.filter(status="allocated").count() == 6

    for name, (browser, url) in pages(bigger).items():
        with django_assert_max_num_queries(baseline[name], info=name):
            assert browser.get(url).status_code == 200


def test_the_warehouses_shipment_admin_moves_the_forwarded_line_and_relays_it_too(shop, remote, api, admin_client):
    variant = own_variant(shop, stock=5)
    body = forwarded_body(variant)
    remote.post_message(api, orders.FORWARDED_MESSAGE, body)
    shipment = Shipment.objects.get()
    changelist = reverse("admin:logistics_shipment_changelist")

    admin_client.post(changelist, {"action": "pick", "_selected_action": [shipment.pk]})
    assert ForwardedLine.objects.get().status == "picked" and not outbox(orders.STATUS_MESSAGE)
    admin_client.post(changelist, {"action": "pack", "_selected_action": [shipment.pk]})
    admin_client.post(changelist, {"action": "ship", "_selected_action": [shipment.pk]})

    assert ForwardedLine.objects.get().status == "shipped" and own_level(variant) == (3, 0)
    assert [message["status"] for message in outbox(orders.STATUS_MESSAGE)] == ["shipped"]
    assert len(outbox(last_leg.TRACKING_MESSAGE)) == 1
