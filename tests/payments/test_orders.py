"""Orders: numbers from the sequence and tokens in URLs, payment (stock allocated, ledger posted,
partner lines forwarded through the outbox, customs data completed), status both ways with the
partner, the shopper's pages and the ops admin."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from djmoney.money import Money

from crossborder import messages
from crossborder.errors import DomainError
from crossborder.models import OutboxMessage
from logistics.models import Reservation, Shipment
from payments.models import CustomsDeclaration, ForwardedOrder, LedgerTransaction, Order, OrderEvent
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.catalog.factories import make_user

from .shop_factories import BUYER, cart_with, checkout_of, own_variant, partner_listing, set_up_shop


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


pytestmark = pytest.mark.django_db


def placed(*items, **buyer):
    checkout = checkout_of(cart_with(*items), **buyer)
    return checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))


def test_order_numbers_come_from_the_database_sequence_and_increase(shop):
    variant = own_variant(shop, stock=10)

    numbers = [placed((variant, 1)).number for _ in range(3)]

    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert numbers[1] - numbers[0] == 1 and numbers[2] - numbers[1] == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value FROM payments_order_number_seq")
            assert cursor.fetchone()[0] == numbers[-1]


def test_shopper_urls_carry_the_unguessable_token_not_the_number(shop, client):
    order = placed((own_variant(shop), 1))

    assert len(order.token) >= 22 and str(order.number) not in order.token
    assert client.get(reverse("payments:order", args=[order.token])).status_code == 200
    assert client.get(reverse("payments:order", args=[str(order.number)])).status_code == 404


def test_paying_allocates_stock_posts_the_ledger_and_forwards_partner_lines(shop):
    variant = own_variant(shop, stock=5)
    listing = partner_listing(direct_stock=5)
    order = placed((variant, 2), (listing, 1), **BUYER)
    assert not OutboxMessage.objects.exists()  # nothing leaves before the payment

    orders.mark_paid(order=order, payment_reference="pay-1", amount=order.total)

    order.refresh_from_db()
    own_line, partner_line = order.lines.order_by("line_number")
    assert order.status == Order.Status.PAID
    local = Shipment.objects.get(order_line=own_line.reference)
    assert (local.kind, local.reservation.status, local.reservation.expires_at) == ("local", "active", None)
    assert Shipment.objects.get(order_line=partner_line.reference).kind == "direct"
    kinds = dict(LedgerTransaction.objects.exclude(kind__startswith="merchant_").values_list("reference", "kind"))
    assert kinds == {own_line.reference: "own_goods_sale", partner_line.reference: "partner_goods_sale"}
    message = OutboxMessage.objects.get()
    assert (message.message_type, message.partnership_id) == ("order.forwarded", listing.partnership_id)
    assert [line["reference"] for line in message.payload["lines"]] == [partner_line.reference]
    assert message.payload["lines"][0]["export_amount"] == {"amount": "20.00", "currency": "USD"}
    assert message.payload["recipient"]["name"] == "Li Wei"  # a direct line: the partner ships it
    assert list(order.events.values_list("kind", flat=True)) == ["placed", "paid", "forwarded"]


def test_paying_twice_with_the_same_payment_changes_nothing(shop):
    order = placed((partner_listing(), 1), **BUYER)

    orders.mark_paid(order=order, payment_reference="pay-1")
    orders.mark_paid(order=order, payment_reference="pay-1")

    assert OutboxMessage.objects.count() == 1
    assert LedgerTransaction.objects.count() == 1
    assert order.events.filter(kind=OrderEvent.Kind.PAID).count() == 1


def test_a_payment_for_another_amount_is_refused(shop):
    order = placed((own_variant(shop, price="99.00"), 1))

    with pytest.raises(DomainError) as refused:
        orders.mark_paid(order=order, payment_reference="pay-1", amount=Money(Decimal("108.99"), "CNY"))

    assert refused.value.code == "payment_mismatch"
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT


def test_a_payment_after_the_order_expired_is_refused(shop):
    order = placed((own_variant(shop), 1))
    checkouts.expire_checkouts(now=order.payment_due_at)

    with pytest.raises(DomainError) as refused:
        orders.mark_paid(order=order, payment_reference="late-pay")

    assert refused.value.code == "order_state"
    assert not LedgerTransaction.objects.exists()


def test_a_cross_border_order_produces_its_customs_declaration_order_payment_and_waybill(shop):
    order = placed((own_variant(shop), 1), (partner_listing(), 2), **BUYER)
    declaration = CustomsDeclaration.objects.get(order=order)
    assert declaration.status == "draft"
    assert [line["sku"] for line in declaration.order_record["lines"]] == [order.lines.get(origin="partner").sku]

    orders.mark_paid(order=order, payment_reference="pay-77")
    declaration.refresh_from_db()

    assert declaration.status == "ready"
    # The stored record keeps the ID masked (the number is encrypted on the order); the exports have it.
    assert declaration.order_record["buyer_id_number"] == "*" * 14 + BUYER["buyer_id_number"][-4:]
    assert BUYER["buyer_id_number"] in orders.customs_csv(declaration)
    assert f"<buyer_id_number>{BUYER['buyer_id_number']}</buyer_id_number>" in orders.customs_xml(declaration)
    assert declaration.payment_record["payment_reference"] == "pay-77"
    assert declaration.payment_record["amount"] == str(order.total.amount)
    assert len(declaration.waybill_record["parcels"]) == 1
    csv_text = orders.customs_csv(declaration)
    assert csv_text.splitlines()[0].startswith("order_number,line,sku")
    assert "pay-77" in csv_text.splitlines()[1]
    xml_text = orders.customs_xml(declaration)
    assert "<Payment>" in xml_text and "<payment_reference>pay-77</payment_reference>" in xml_text
    assert "<Parcel>" in xml_text


def test_ops_ship_a_paid_order_and_the_partner_is_told(shop):
    order = placed((partner_listing(), 1), **BUYER)
    orders.mark_paid(order=order, payment_reference="pay-1")

    orders.change_order_status(order=order, status=Order.Status.SHIPPED)

    status = OutboxMessage.objects.get(message_type="order.status")
    assert status.payload["status"] == "shipped" and status.payload["order"] == str(order.reference)
    with pytest.raises(DomainError):
        orders.change_order_status(order=order, status=Order.Status.AWAITING_PAYMENT)


def test_cancelling_an_unpaid_order_gives_its_stock_back(shop):
    variant = own_variant(shop, stock=1)
    order = placed((variant, 1))

    orders.change_order_status(order=order, status=Order.Status.CANCELLED)

    assert Reservation.objects.get().status == "released"
    assert order.events.last().kind == "cancelled"


def _forwarded(partnership):
    return {
        "order": str(uuid.uuid4()),
        "number": "100042",
        "placed_at": "2026-11-30T10:00:00+08:00",
        "lines": [
            {
                "reference": "order:us:100042:1",
                "product": str(uuid.uuid4()),
                "sku": "MUG-1",
                "title": "Mug",
                "quantity": 2,
                "fulfilment": "direct",
                "export_amount": {"amount": "40.00", "currency": "CNY"},
            }
        ],
        "recipient": {
            "name": "Ann",
            "address_lines": ["1 Main St"],
            "country_area": "TX",
            "city": "Austin",
            "postcode": "78701",
            "country": "US",
        },
    }


def _receive(message_type, partnership, body):
    kind = messages.get(message_type)
    payload = kind.payload_serializer(data=body)
    payload.is_valid(raise_exception=True)
    return kind.handler(partnership=partnership, payload=payload.validated_data, seq=1)


def test_the_exporter_records_a_forwarded_order_once_with_its_goods_sold_abroad(shop):
    partnership = partner_listing().partnership
    body = _forwarded(partnership)

    _receive("order.forwarded", partnership, body)
    _receive("order.forwarded", partnership, body)

    forwarded = ForwardedOrder.objects.get()
    assert (forwarded.number, forwarded.lines[0]["export_amount"]) == ("100042", {"amount": "40.00", "currency": "CNY"})
    sold = LedgerTransaction.objects.get()
    assert (sold.reference, sold.kind) == ("order:us:100042:1", "goods_sold_abroad")


def test_a_status_from_the_partner_joins_the_order_timeline_or_the_forwarded_order(shop):
    order = placed((partner_listing(), 1), **BUYER)
    orders.mark_paid(order=order, payment_reference="pay-1")
    partnership = order.lines.get().partnership

    _receive("order.status", partnership, {"order": str(order.reference), "status": "shipped"})
    body = _forwarded(partnership)
    _receive("order.forwarded", partnership, body)
    _receive("order.status", partnership, {"order": body["order"], "status": "cancelled"})

    event = order.events.get(kind=OrderEvent.Kind.PARTNER_STATUS)
    assert (event.by_partner, event.detail["partner_status"]) == (True, "shipped")
    assert ForwardedOrder.objects.get().status == "cancelled"


def test_the_order_pages_show_the_order_and_its_timeline_in_few_queries(shop, client, django_assert_max_num_queries):
    user = make_user()
    client.force_login(user)
    variant = own_variant(shop, stock=20)
    for _ in range(3):
        client.post(reverse("payments:cart_add"), {"sku": variant.sku, "quantity": "1"})
        started = client.post(
            reverse("payments:checkout"),
            {
                "name": "Li Wei",
                "address": "88 Century Avenue",
                "country_area": "上海市",
                "city": "Shanghai",
                "postcode": "200120",
                "email": "li@example.com",
                "phone": "13800138000",
            },
        )
        client.post(started["Location"] + "place/", {"total": "109.00"})
    order = Order.objects.first()

    # The order, its lines, extras and events; session and user; shipments; the checkout and its
    # payment (a declined payment is said on the page); the header's cart count and the name of a
    # shopper known by no name or e-mail (their profile's phone): fixed, whatever the number of
    # lines or events.
    with django_assert_max_num_queries(11):
        detail = client.get(reverse("payments:order", args=[order.token]))
    with django_assert_max_num_queries(6):
        listing = client.get(reverse("payments:orders"))

    assert detail.status_code == 200 and 'data-status="awaiting_payment"' in detail.content.decode()
    assert listing.content.decode().count(reverse("payments:order", args=[order.token])) == 1
    assert Order.objects.filter(user=user).count() == 3


def test_the_admin_lists_orders_and_exports_customs_declarations(shop, admin_client):
    order = placed((partner_listing(), 1), **BUYER)
    orders.mark_paid(order=order, payment_reference="pay-9")
    declaration = CustomsDeclaration.objects.get()

    assert admin_client.get(reverse("admin:payments_order_changelist") + "?origin=partner").status_code == 200
    assert admin_client.get(reverse("admin:payments_order_change", args=[order.pk])).status_code == 200
    assert admin_client.get(reverse("admin:payments_customsdeclaration_changelist")).status_code == 200
    xml = admin_client.get(reverse("admin:payments_customsdeclaration_export", args=[declaration.pk, "xml"]))
    csv = admin_client.get(reverse("admin:payments_customsdeclaration_export", args=[declaration.pk, "csv"]))
    assert xml["Content-Type"].startswith("application/xml") and b"pay-9" in xml.content
    assert csv["Content-Type"].startswith("text/csv") and b"pay-9" in csv.content


def test_the_product_pages_offer_add_to_cart(shop, client):
    variant = own_variant(shop)
    listing = partner_listing()

    own_page = client.get(reverse("catalog:product", args=[variant.product.reference])).content.decode()
    zone_page = client.get(
        reverse("partner_zone:product", args=[listing.partnership.partner.code, listing.reference])
    ).content.decode()

    assert reverse("payments:cart_add") in own_page and f'value="{variant.sku}"' in own_page
    assert reverse("payments:cart_add") in zone_page and f'name="listing" value="{listing.pk}"' in zone_page


def test_a_paid_orders_page_shows_each_lines_delivery_with_its_status_and_tracking(
    shop, client, django_assert_max_num_queries
):
    variant = own_variant(shop, stock=5)
    listing = partner_listing()
    order = placed((variant, 1), (listing, 1), **BUYER)
    orders.mark_paid(order=order, payment_reference="pay-1")
    Shipment.objects.filter(order_line=order.lines.get(line_number=2).reference).update(
        carrier="SF Express", tracking_number="SF1234567890"
    )

    with django_assert_max_num_queries(10):  # the order page's 8 and the deliveries' 2, whatever the lines
        page = client.get(reverse("payments:order", args=[order.token])).content.decode()

    tracking = page[page.index('class="deliveries"') :]
    for line in order.lines.all():
        assert f'data-line="{line.line_number}"' in tracking
    assert "SF Express SF1234567890" in tracking
