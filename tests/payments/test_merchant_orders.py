"""A merchant's orders: the lines of its goods sold at home and abroad in one list with filters, a
line's page with history, tracking and returns, and the pick, pack and ship of the lines it ships
itself (home lines when it ships its home orders itself, cross-border direct lines abroad). Another
merchant's line is not found; every refused step names what is wrong and changes no row."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from aftersales.models import ReceivedDisposition, ReturnUnit
from crossborder.models import Notification, OutboxMessage
from logistics.models import Shipment, StockLevel, StockMovement
from payments.models import ForwardedLine, Order, OrderEvent
from payments.shop import merchant_selectors as lines
from payments.shop import merchant_views
from payments.shop.services import merchant_fulfilment, orders
from tests.aftersales.factories import paid_line, returned_units
from tests.catalog.factories import make_user
from tests.partner_zone.factories import make_partnership

from .shop_factories import own_variant, set_up_shop

pytestmark = pytest.mark.django_db

ABROAD_RECIPIENT = {
    "name": "Ann Lee",
    "phone": "+1 512 555 0100",
    "address_lines": ["1 Main St"],
    "country_area": "TX",
    "city": "Austin",
    "postcode": "78701",
    "country": "US",
}


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


@pytest.fixture
def partnership(shop):
    return make_partnership("us", currency="USD", country="US")


def forward(partnership, variant, *, number="5001", fulfilment="direct", quantity=1):
    orders.receive_forwarded_order(
        partnership=partnership,
        payload={
            "order": str(uuid.uuid4()),
            "number": number,
            "placed_at": "2026-11-30T10:00:00-06:00",
            "lines": [
                {
                    "reference": f"order:us:{number}:1",
                    "product": str(variant.product.reference),
                    "sku": variant.sku,
                    "title": "Enamel mug",
                    "quantity": quantity,
                    "fulfilment": fulfilment,
                    "export_amount": {"amount": "40.00", "currency": "CNY"},
                }
            ],
            "recipient": ABROAD_RECIPIENT if fulfilment == "direct" else {},
        },
    )
    return ForwardedLine.objects.get(reference=f"order:us:{number}:1")


def merchant_of(variant, *, ships_itself=False):
    merchant = variant.product.merchant
    merchant.ships_itself = ships_itself
    merchant.save(update_fields=["ships_itself"])
    return merchant


def signed_in(client, merchant):
    user = make_user()
    merchant.users.add(user, through_defaults={"role": "fulfilment"})
    client.force_login(user)
    return client


def snapshot():
    """Every row the fulfilment may write, to prove a refusal wrote none."""
    return (
        list(Shipment.objects.order_by("pk").values()),
        list(StockLevel.objects.order_by("pk").values()),
        StockMovement.objects.count(),
        list(ForwardedLine.objects.order_by("pk").values()),
        OutboxMessage.objects.count(),
        OrderEvent.objects.count(),
    )


# --- the list and the line -------------------------------------------------------------------------


def test_the_list_holds_the_merchants_home_and_abroad_lines_and_not_another_merchants(shop, partnership, client):
    mug = own_variant(shop, stock=10)
    merchant = merchant_of(mug)
    home = paid_line(mug, 2)
    abroad = forward(partnership, mug, fulfilment="direct")
    consigned = forward(partnership, mug, number="5002", fulfilment="consignment")
    other = own_variant(shop, stock=5)
    paid_line(other, 1)

    keys = list(lines.line_keys(merchant))
    page = signed_in(client, merchant).get(reverse("payments:merchant-orders")).content.decode()

    assert {(where, pk) for where, pk, _at in keys} == {
        ("home", home.pk),
        ("abroad", abroad.pk),
        ("abroad", consigned.pk),
    }
    assert home.reference in page and abroad.reference in page and consigned.reference in page
    assert other.sku not in page


def test_the_filters_narrow_by_where_status_partner_number_and_returns(shop, partnership, client):
    mug = own_variant(shop, stock=10)
    merchant = merchant_of(mug)
    home = paid_line(mug, 2)
    returned = paid_line(mug, 1)
    returned_units(returned, "good")
    abroad = forward(partnership, mug)

    def found(**filters):
        return {(where, pk) for where, pk, _at in lines.line_keys(merchant, lines.LineFilters(**filters))}

    assert found(where="home") == {("home", home.pk), ("home", returned.pk)}
    assert found(where="abroad") == {("abroad", abroad.pk)}
    assert found(partner="us") == {("abroad", abroad.pk)}
    assert found(number=str(home.order.number)) == {("home", home.pk)}
    assert found(number="5001") == found(number="us #5001") == {("abroad", abroad.pk)}
    assert found(number="xx #5001") == set()
    assert found(status="allocated") == {("home", home.pk), ("home", returned.pk), ("abroad", abroad.pk)}
    assert found(status="shipped") == set()
    assert found(with_returns=True) == {("home", returned.pk)}
    today = timezone.localdate()
    assert ("home", home.pk) in found(since=today, until=today)


def test_the_list_pages_newest_first(shop, partnership, client, monkeypatch):
    monkeypatch.setattr(merchant_views, "PAGE_SIZE", 2)
    mug = own_variant(shop, stock=10)
    merchant = merchant_of(mug)
    older, newer = paid_line(mug, 1), paid_line(mug, 1)
    abroad = forward(partnership, mug)  # placed by the partner days before
    browser = signed_in(client, merchant)

    first = browser.get(reverse("payments:merchant-orders")).content.decode()
    second = browser.get(reverse("payments:merchant-orders"), {"page": 2}).content.decode()

    assert first.index(newer.reference) < first.index(older.reference) and abroad.reference not in first
    assert abroad.reference in second and newer.reference not in second


def test_a_consignment_line_abroad_is_the_partners_to_ship_and_shows_no_address_or_form(shop, partnership, client):
    mug = own_variant(shop, stock=5)
    merchant = merchant_of(mug, ships_itself=True)
    line = forward(partnership, mug, fulfilment="consignment")

    page = signed_in(client, merchant).get(reverse("payments:merchant-order-line", args=["abroad", line.pk]))
    text = page.content.decode()

    assert page.status_code == 200 and 'id="ship"' not in text
    assert escape("the partner, from your goods in its warehouse") in text
    with pytest.raises(merchant_fulfilment.DomainError) as refused:
        merchant_fulfilment.fulfil_line(merchant=merchant, where="abroad", line_id=line.pk, step="pick")
    assert refused.value.code == "not_yours_to_ship"


def test_a_bad_filter_value_is_named_and_the_list_still_answers(shop, client):
    merchant = merchant_of(own_variant(shop))
    response = signed_in(client, merchant).get(reverse("payments:merchant-orders"), {"since": "31-31-2026"})

    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_an_abroad_return_and_the_partners_disposition_show_on_the_line(shop, partnership, client):
    mug = own_variant(shop, stock=10)
    merchant = merchant_of(mug)
    line = forward(partnership, mug)
    ReceivedDisposition.objects.create(
        partnership=partnership,
        unit=f"{line.reference}:1",
        order_line=line.reference,
        sku=mug.sku,
        grade="good",
        disposition="resell",
        reason="graded good",
        decided_at=timezone.now(),
    )

    page = signed_in(client, merchant).get(reverse("payments:merchant-order-line", args=["abroad", line.pk]))
    keys = lines.line_keys(merchant, lines.LineFilters(with_returns=True))

    assert "resell locally as a graded item" in page.content.decode()
    assert [(where, pk) for where, pk, _at in keys] == [("abroad", line.pk)]


def test_a_home_lines_page_shows_its_return_and_each_units_disposition(shop, client):
    mug = own_variant(shop, stock=10)
    merchant = merchant_of(mug)
    line = paid_line(mug, 2)
    first, second = returned_units(line, "good", "unsellable")
    ReturnUnit.objects.filter(pk=first.pk).update(disposition="resell")
    ReturnUnit.objects.filter(pk=second.pk).update(disposition="dispose")

    page = signed_in(client, merchant).get(reverse("payments:merchant-order-line", args=["home", line.pk]))
    text = page.content.decode()

    assert page.status_code == 200
    assert "resell locally as a graded item" in text and "dispose of" in text


def test_another_merchants_line_is_not_found(shop, partnership, client):
    mug = own_variant(shop, stock=5)
    home, abroad = paid_line(mug, 1), forward(partnership, mug)
    stranger = signed_in(client, merchant_of(own_variant(shop, stock=1)))

    assert stranger.get(reverse("payments:merchant-order-line", args=["home", home.pk])).status_code == 404
    assert stranger.get(reverse("payments:merchant-order-line", args=["abroad", abroad.pk])).status_code == 404
    assert stranger.get(reverse("payments:merchant-order-line", args=["elsewhere", abroad.pk])).status_code == 404


def test_the_shoppers_address_shows_only_where_the_merchant_ships(shop, client):
    mug = own_variant(shop, stock=5)
    merchant = merchant_of(mug)
    line = paid_line(mug, 1)
    url = reverse("payments:merchant-order-line", args=["home", line.pk])
    browser = signed_in(client, merchant)

    warehouse_ships = browser.get(url).content.decode()
    merchant_of(mug, ships_itself=True)
    merchant_ships = browser.get(url).content.decode()

    assert "88 Century Avenue" not in warehouse_ships and 'id="ship"' not in warehouse_ships
    assert "88 Century Avenue" in merchant_ships and 'id="ship"' in merchant_ships


# --- fulfilling -------------------------------------------------------------------------------------


def test_a_merchant_that_ships_itself_picks_packs_and_ships_a_home_line_and_the_shopper_is_told(shop, client):
    mug = own_variant(shop, stock=5)
    merchant = merchant_of(mug, ships_itself=True)
    line = paid_line(mug, 2)
    browser = signed_in(client, merchant)

    def step(name, **data):
        return browser.post(reverse("payments:merchant-fulfil", args=["home", line.pk, name]), data)

    assert step("pick").status_code == 302
    assert Shipment.objects.get(order_line=line.reference).status == "picked"
    assert step("pick").status_code == 302  # a repeat changes nothing
    assert step("pack").status_code == 302
    response = step("ship", carrier="sandbox", tracking_number="SF-1234567")

    shipment = Shipment.objects.get(order_line=line.reference)
    assert response.status_code == 302
    assert (shipment.status, shipment.carrier, shipment.tracking_number) == ("shipped", "sandbox", "SF-1234567")
    assert StockLevel.objects.get(sku=mug.sku).on_hand == 3
    order_page = client.get(reverse("payments:order", args=[line.order.token])).content.decode()
    assert "SF-1234567" in order_page
    mail = Notification.objects.get(template="order_shipped")
    assert mail.to == line.order.email and mail.context["tracking_number"] == "SF-1234567"
    assert OutboxMessage.objects.filter(message_type="delivery.tracking").count() == 0


def test_a_merchant_ships_a_direct_line_abroad_and_the_partner_gets_tracking_and_status(shop, partnership):
    mug = own_variant(shop, stock=5)
    merchant = merchant_of(mug)
    line = forward(partnership, mug, quantity=2)

    row = merchant_fulfilment.fulfil_line(
        merchant=merchant, where="abroad", line_id=line.pk, step="ship", carrier="sandbox", tracking_number="MY-123"
    )

    assert row.status == "shipped" and row.tracking_number == "MY-123"
    tracking = OutboxMessage.objects.get(message_type="delivery.tracking").payload
    status = OutboxMessage.objects.get(message_type="order.status").payload
    assert tracking["tracking_number"] == "MY-123" and status["status"] == "shipped"
    assert StockLevel.objects.get(sku=mug.sku).on_hand == 3


@pytest.mark.parametrize(
    ("tracking_number", "words"),
    [("", "Enter the parcel's tracking number."), ("MY 123", "is not a tracking number"), ("x" * 41, "4 to 40")],
)
def test_an_empty_or_malformed_tracking_number_is_refused_and_nothing_changes(
    shop, partnership, client, tracking_number, words
):
    mug = own_variant(shop, stock=5)
    merchant = merchant_of(mug)
    line = forward(partnership, mug)
    before = snapshot()

    response = signed_in(client, merchant).post(
        reverse("payments:merchant-fulfil", args=["abroad", line.pk, "ship"]),
        {"carrier": "sandbox", "tracking_number": tracking_number},
    )

    assert response.status_code == 400 and escape(words) in response.content.decode()
    assert snapshot() == before


def test_shipping_twice_is_refused_naming_the_first_tracking_and_nothing_changes(shop, partnership):
    mug = own_variant(shop, stock=5)
    merchant = merchant_of(mug)
    line = forward(partnership, mug)
    merchant_fulfilment.fulfil_line(
        merchant=merchant, where="abroad", line_id=line.pk, step="ship", carrier="sandbox", tracking_number="MY-123"
    )
    before = snapshot()

    with pytest.raises(merchant_fulfilment.DomainError) as refused:
        merchant_fulfilment.fulfil_line(
            merchant=merchant, where="abroad", line_id=line.pk, step="ship", carrier="sandbox", tracking_number="MY-999"
        )

    assert refused.value.code == "already_shipped" and "MY-123" in refused.value.detail
    assert snapshot() == before


def test_a_cancelled_line_cannot_be_shipped(shop, partnership):
    mug = own_variant(shop, stock=5)
    merchant = merchant_of(mug, ships_itself=True)
    line = paid_line(mug, 1)
    Order.objects.filter(pk=line.order_id).update(status=Order.Status.CANCELLED)
    Shipment.objects.filter(order_line=line.reference).update(status=Shipment.Status.CANCELLED)
    before = snapshot()

    with pytest.raises(merchant_fulfilment.DomainError) as refused:
        merchant_fulfilment.fulfil_line(
            merchant=merchant, where="home", line_id=line.pk, step="ship", carrier="sandbox", tracking_number="MY-123"
        )

    assert refused.value.code == "cancelled" and snapshot() == before


def test_a_home_line_the_platform_ships_is_not_the_merchants_to_ship(shop):
    mug = own_variant(shop, stock=5)
    merchant = merchant_of(mug, ships_itself=False)
    line = paid_line(mug, 1)
    before = snapshot()

    with pytest.raises(merchant_fulfilment.DomainError) as refused:
        merchant_fulfilment.fulfil_line(merchant=merchant, where="home", line_id=line.pk, step="pick")

    assert refused.value.code == "not_yours_to_ship" and "warehouse" in refused.value.detail
    assert snapshot() == before


def test_a_merchant_acting_on_another_merchants_line_is_refused_and_nothing_changes(shop, partnership, client):
    mug = own_variant(shop, stock=5)
    merchant_of(mug, ships_itself=True)
    home, abroad = paid_line(mug, 1), forward(partnership, mug)
    stranger = signed_in(client, merchant_of(own_variant(shop, stock=1), ships_itself=True))
    before = snapshot()

    for where, line in (("home", home), ("abroad", abroad)):
        for step in ("pick", "ship"):
            response = stranger.post(
                reverse("payments:merchant-fulfil", args=[where, line.pk, step]),
                {"carrier": "sandbox", "tracking_number": "MY-123"},
            )
            assert response.status_code == 404 and "No such line of your goods." in response.content.decode()

    assert snapshot() == before


def test_an_unknown_carrier_or_step_is_refused_naming_it(shop, partnership):
    mug = own_variant(shop, stock=5)
    merchant = merchant_of(mug)
    line = forward(partnership, mug)
    before = snapshot()

    with pytest.raises(merchant_fulfilment.DomainError) as carrier:
        merchant_fulfilment.fulfil_line(
            merchant=merchant, where="abroad", line_id=line.pk, step="ship", carrier="pigeon", tracking_number="MY-1"
        )
    with pytest.raises(merchant_fulfilment.DomainError) as step:
        merchant_fulfilment.fulfil_line(merchant=merchant, where="abroad", line_id=line.pk, step="teleport")

    assert "pigeon" in carrier.value.detail and "teleport" in step.value.detail
    assert snapshot() == before


# --- queries ----------------------------------------------------------------------------------------


def test_the_list_and_a_line_run_a_fixed_number_of_queries(shop, partnership, client, django_assert_max_num_queries):
    mug = own_variant(shop, stock=50)
    merchant = merchant_of(mug, ships_itself=True)
    browser = signed_in(client, merchant)
    first = paid_line(mug, 2)
    returned_units(first, "good")  # a return in the first page too: its units are one query, any number
    forward(partnership, mug, number="6001")
    list_url = reverse("payments:merchant-orders")
    line_url = reverse("payments:merchant-order-line", args=["home", first.pk])
    baseline = {}
    for url in (list_url, line_url, list_url + "?with_returns=on"):
        browser.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(url).status_code == 200
        baseline[url] = len(queries)

    for n in range(4):
        returned_units(paid_line(mug, 2), "good", "unsellable")
        forward(partnership, mug, number=f"60{n + 10}")

    for url, count in baseline.items():
        with django_assert_max_num_queries(count, info=url):
            assert browser.get(url).status_code == 200
