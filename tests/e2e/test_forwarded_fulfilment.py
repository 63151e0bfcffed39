"""A direct order forwarded between two real instances and fulfilled by the exporter: a `cn` shopper's
paid order for `us` goods reaches `us`, which reserves its own stock for it; `us` ops ship it from
the forwarded-order admin over HTTP with the sandbox carrier (the stock goes down); the tracking and
the line's status reach `cn`, whose shopper sees the tracking number on the order page; two days
later (a simulated clock) the carrier's delivery reaches `cn` too.

Web servers only; each outbox is relayed with `relay_outbox` at the step that needs it.
PostgreSQL when CROSSBORDER_TEST_POSTGRES is set, else SQLite files."""

import datetime as dt
import json
import re

import pytest
import requests

from .pairs import partnered_pair
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_forwarded_cn", "crossborder_e2e_forwarded_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}
TIMEOUT = 30

US_GOODS = """
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import Partner

partnership = Partner.objects.get(code="cn").live_partnership()
merchant = services.create_merchant(name="Ridge Outfitters", slug="ridge")
product = services.save_product(merchant=merchant, data=services.ProductInput(
    code="MUG", category_id=662, original_language="en", country_of_origin="US", hs_code="732391",
    weight_grams=250, texts={"en": ("Enamel mug", ""), "zh-hans": ("搪瓷杯", "")},
    variants=[services.VariantInput(sku="RDG-MUG", price=Money(Decimal("30.00"), "USD"), stock=10)],
))
services.set_export_offer(merchant=merchant, product=product, partnership=partnership, is_offered=True,
                          export_price=Money(Decimal("20.00"), "USD"), direct_stock=8)
print("ok")
"""

CN_RATE = """
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from crossborder.models import ExchangeRate
ExchangeRate.objects.create(base="USD", quote="CNY", rate=Decimal("7.2"), as_of=timezone.now() - dt.timedelta(days=1))
print("ok")
"""

# The cn shopper's order, placed and paid through the shop's services (the payment flow itself is
# test_purchase_and_settlement's).
CN_ORDER = """
import json
from partner_zone.models import PartnerListing
from payments.shop.services import cart as carts, checkout as checkouts, orders
listing = next(l for l in PartnerListing.objects.all() if l.variants[0]["sku"] == "RDG-MUG")
line = carts.add_to_cart(session_key="e2e-shopper", listing_id=listing.pk, quantity=2)
checkout = checkouts.start_checkout(cart=line.cart, buyer=checkouts.Buyer(
    recipient={"name": "李伟", "address_lines": ["世纪大道 88 号"], "country_area": "上海市", "city": "上海", "postcode": "200120", "country": "CN"},
    email="li.wei@example.com", phone="+86 138 0013 8000", name="李伟", id_number="11010519491231002X",
))
order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
orders.mark_paid(order=order, payment_reference="e2e-pay-1", amount=order.total)
line = order.lines.get()
print(json.dumps({"token": order.token, "line": line.reference, "fulfilment": line.fulfilment}))
"""

US_STATE = """
import json
from catalog.models import ExportOffer
from logistics.models import Shipment, StockLevel
from payments.models import ForwardedLine
print(json.dumps({
    "stock": {l.sku: [l.on_hand, l.reserved] for l in StockLevel.objects.filter(owner__isnull=True)},
    "lines": [[l.reference, l.status] for l in ForwardedLine.objects.all()],
    "shipments": [[s.order_line, s.kind, s.status, s.tracking_number] for s in Shipment.objects.all()],
    "direct_stock": ExportOffer.objects.get().direct_stock,
}))
"""

CN_STATE = """
import json
from logistics.models import Shipment
from payments.models import Order, OrderEvent
order = Order.objects.get()
shipment = Shipment.objects.get()
print(json.dumps({
    "shipment": [shipment.kind, shipment.status, shipment.carrier, shipment.tracking_number],
    "partner_statuses": [e.detail["partner_status"] for e in order.events.filter(kind=OrderEvent.Kind.PARTNER_STATUS)
                         .order_by("created_at", "id")],
}))
"""


def last_json(output):
    return json.loads(output.strip().splitlines()[-1])


def relay(instance):
    manage(instance, "relay_outbox")


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-forwarded", databases=DATABASES, env=ENV) as pair:
        yield pair


def csrf_token(page):
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page[-2000:]
    return found.group(1)


def admin_session(instance):
    session = requests.Session()
    login_url = instance.base_url + "/admin/login/"
    page = session.get(login_url, timeout=TIMEOUT)
    answer = session.post(
        login_url,
        data={
            "username": "admin",
            "password": "admin",
            "csrfmiddlewaretoken": csrf_token(page.text),
            "next": "/admin/",
        },
        headers={"Referer": login_url},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200 and "/admin/login/" not in answer.url, answer.text[-2000:]
    return session


def test_a_forwarded_direct_order_is_reserved_shipped_by_the_exporter_and_tracked_at_the_importer(pair):
    cn, us = pair
    manage(us, "ensure_warehouse", "--code", "sea-1", "--name", "Seattle warehouse", "--country", "US",
           "--operator", "us", "--address", "1 Harbor Ave, Seattle")  # fmt: skip
    manage(us, "shell", "-c", US_GOODS)
    manage(cn, "shell", "-c", CN_RATE)
    assert "succeeded" in manage(cn, "sync_partner_catalog", "--partner", "us")
    manage(cn, "reprice_listings", "--partner", "us")

    # cn's shopper pays for two mugs shipping direct from us; the order is forwarded.
    order = last_json(manage(cn, "shell", "-c", CN_ORDER))
    assert order["fulfilment"] == "direct", order
    relay(cn)

    # us reserves two of its own mugs for the line (its catalog count, now in its warehouse).
    state = last_json(manage(us, "shell", "-c", US_STATE))
    assert state["stock"] == {"RDG-MUG": [10, 2]}, state
    assert state["lines"] == [[order["line"], "allocated"]], state
    assert state["direct_stock"] == 6, state

    # us ops ship it from the forwarded-order admin with the sandbox carrier.
    admin = admin_session(us)
    changelist = us.base_url + "/admin/payments/forwardedorder/"
    page = admin.get(changelist, timeout=TIMEOUT).text
    selected = re.search(r'name="_selected_action" value="(\d+)"', page).group(1)
    answer = admin.post(
        changelist,
        data={
            "action": "ship",
            "_selected_action": [selected],
            "carrier": "sandbox",
            "csrfmiddlewaretoken": csrf_token(page),
        },
        headers={"Referer": changelist},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text[-2000:]
    state = last_json(manage(us, "shell", "-c", US_STATE))
    assert state["stock"] == {"RDG-MUG": [8, 0]}, state
    [[line, kind, status, tracking]] = state["shipments"]
    assert (line, kind, status) == (order["line"], "local", "shipped") and tracking.startswith("SBX"), state
    relay(us)

    # cn's shopper sees the tracking; cn's order records the partner's status.
    seen = last_json(manage(cn, "shell", "-c", CN_STATE))
    assert seen["shipment"] == ["direct", "shipped", "sandbox", tracking], seen
    assert seen["partner_statuses"] == ["shipped"], seen
    shopper_page = requests.get(f"{cn.base_url}/orders/{order['token']}/", timeout=TIMEOUT).text
    assert tracking in shopper_page

    # Three days on the carrier has delivered it: us polls, relays, and cn follows.
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    manage(
        us, "shell", "-c",
        "import datetime as dt\nfrom logistics.services import last_leg\n"
        f"print(last_leg.poll_carrier_events(now=dt.datetime.fromisoformat({later!r})))",
    )  # fmt: skip
    relay(us)
    seen = last_json(manage(cn, "shell", "-c", CN_STATE))
    assert seen["shipment"][1] == "delivered", seen
    assert seen["partner_statuses"] == ["shipped", "delivered"], seen
