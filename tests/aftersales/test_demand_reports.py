"""Demand back to the partner: the nightly report of what our shoppers searched for in a partner's
zone without finding enough, which of its goods they viewed without buying, and why they returned
them; aggregated, with a minimum crowd per figure, sent once per partnership and day through the
outbox; and, on the receiving side, stored and shown to the merchant beside its own products."""

import datetime as dt
import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from aftersales.demand import services
from aftersales.models import DemandReport, ReturnLine, ReturnRequest, Thread
from catalog import services as catalog_services
from crossborder import messages
from crossborder.models import OutboxMessage
from partner_zone.models import ShopperEvent
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.payments.shop_factories import BUYER, cart_with, checkout_of, partner_listing, set_up_shop
from tests.payments.test_production_providers import PYTHON, production_env, run

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 4)
NOON = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def shop(db, settings):
    settings.DEMAND_REPORTS = {"MIN_SHOPPERS": 3, "FEW_RESULTS": 2, "WINDOW_DAYS": 7, "HOUR": 1}
    return set_up_shop(settings)


def event(kind, shopper, *, at=NOON, **fields):
    """A shopper's view or search at `at`; `shopper` is an anonymous history id."""
    made = ShopperEvent.objects.create(kind=kind, session_key=shopper, **fields)
    ShopperEvent.objects.filter(pk=made.pk).update(created_at=at)
    return made


def search(shopper, query, partnership, found, **fields):
    return event(ShopperEvent.Kind.SEARCH, shopper, query=query, partnership=partnership, result_count=found, **fields)


def view(shopper, listing, **fields):
    return event(ShopperEvent.Kind.VIEW, shopper, listing=listing, category_id=listing.category_id, **fields)


def paid_order(listing, quantity, *, email):
    checkout = checkout_of(cart_with((listing, quantity)), email=email, **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    return orders.mark_paid(order=order, payment_reference=f"pay-{order.number}", amount=order.total)


def returned(order, reason, quantity=1, *, at=NOON, status=ReturnRequest.Status.REQUESTED):
    request = ReturnRequest.objects.create(
        token=uuid.uuid4().hex,
        order=order,
        reason=reason,
        status=status,
        thread=Thread.objects.create(subject=f"return of {order.number}"),
        created_at=at,
    )
    ReturnLine.objects.create(request=request, order_line=order.lines.get(), quantity=quantity)
    return request


def busy_zone(shop):
    """A `us` zone where: 3 shoppers searched "titanium spork" (nothing found) and 2 "雪地靴" (too
    few shoppers), 4 shoppers searched "bottle" (plenty found); the lantern was viewed 6 times by 4
    shoppers and bought once, then returned by 3 shoppers for its size and by 1 as damaged; the
    mug was viewed by 2 shoppers only."""
    lantern = partner_listing(variants=[{"sku": "US-LAMP", "attributes": {}, "is_active": True}])
    partnership = lantern.partnership
    mug = partner_listing(partnership, variants=[{"sku": "US-MUG", "attributes": {}, "is_active": True}])
    for shopper in ("a", "b", "c"):
        search(shopper, "Titanium Spork", partnership, 0, category_id=lantern.category_id)
    search("a", "titanium spork", partnership, 0)  # a repeat by the same shopper, case folded
    for shopper in ("a", "b"):
        search(shopper, "雪地靴", partnership, 1)
    for shopper in ("a", "b", "c", "d"):
        search(shopper, "bottle", partnership, 12)
    search("old", "titanium spork", partnership, 0, at=NOON - dt.timedelta(days=30))  # outside the window
    for shopper in ("a", "a", "b", "b", "c", "d"):
        view(shopper, lantern)
    for shopper in ("a", "b"):
        view(shopper, mug)
    sold = paid_order(lantern, 1, email="buyer@example.com")
    for n in range(3):
        returned(paid_order(lantern, 1, email=f"r{n}@example.com"), "wrong_size")
    returned(paid_order(lantern, 2, email="d@example.com"), "damaged", quantity=2)
    returned(paid_order(lantern, 1, email="x@example.com"), "wrong_size", status=ReturnRequest.Status.CANCELLED)
    ShopperEvent.objects.filter(kind=ShopperEvent.Kind.VIEW).update(created_at=NOON)
    from payments.models import Order

    Order.objects.exclude(paid_at=None).update(paid_at=NOON)
    return partnership, lantern, mug, sold


# --- what we record -------------------------------------------------------------------------------


def test_a_search_in_a_zone_records_the_zone_and_how_many_of_its_listings_it_found(shop, client):
    listing = partner_listing()
    partner = listing.partnership.partner.code
    url = reverse("partner_zone:search", args=[partner])

    client.get(url, {"q": listing.title.split()[0]})
    client.get(url, {"q": listing.title.split()[0]})  # the page from the cache: still recorded
    client.get(url, {"q": "titanium spork", "category": str(listing.category_id)})

    recorded = list(ShopperEvent.objects.order_by("id").values_list("partnership_id", "result_count", "category_id"))
    assert recorded == [
        (listing.partnership_id, 1, None),
        (listing.partnership_id, 1, None),
        (listing.partnership_id, 0, listing.category_id),
    ]


# --- what we send ---------------------------------------------------------------------------------


def test_the_report_sums_up_unmet_searches_views_orders_and_return_reasons_from_enough_shoppers(shop):
    partnership, lantern, _mug, _sold = busy_zone(shop)

    report = services.build_report(partnership=partnership, day=DAY)

    assert report["searches"] == [
        {"query": "titanium spork", "searches": 4, "shoppers": 3, "results": 0, "category": lantern.category_id}
    ]
    assert report["products"] == [
        {
            "product": str(lantern.reference),
            "skus": ["US-LAMP"],
            "title": lantern.title,
            "views": 6,
            "viewers": 4,
            "orders": 6,
            "units": 7,
            "returns": [{"sku": "US-LAMP", "reason": "wrong_size", "units": 3, "shoppers": 3}],
        }
    ]
    assert (report["day"], report["window_days"], report["min_shoppers"]) == ("2026-12-04", 7, 3)
    text = json.dumps(report)
    for personal in ("@example.com", '"a"', "session", "user", "email"):
        assert personal not in text


def test_a_figure_from_fewer_shoppers_than_the_minimum_is_left_out(shop, settings):
    partnership, *_rest = busy_zone(shop)
    settings.DEMAND_REPORTS = {**settings.DEMAND_REPORTS, "MIN_SHOPPERS": 5}

    report = services.build_report(partnership=partnership, day=DAY)

    assert (report["searches"], report["products"], report["min_shoppers"]) == ([], [], 5)


def test_the_nightly_run_sends_each_live_partner_one_report_a_day_through_the_outbox(shop):
    partnership, *_rest = busy_zone(shop)
    night = dt.datetime(2026, 12, 5, 1, 20, tzinfo=dt.UTC)

    assert services.send_due_reports(now=night) == 1
    assert services.send_due_reports(now=night + dt.timedelta(minutes=5)) == 0  # the beat fired twice

    message = OutboxMessage.objects.get(message_type="demand.report")
    assert message.partnership_id == partnership.pk
    assert message.payload["day"] == "2026-12-04" and message.payload["products"][0]["skus"] == ["US-LAMP"]
    assert DemandReport.objects.get().direction == DemandReport.Direction.SENT


# --- what we receive, for our merchants --------------------------------------------------------------------


PARTNER_REPORT = {
    "day": "2026-12-04",
    "window_days": 30,
    "min_shoppers": 3,
    "few_results": 2,
    "searches": [
        {"query": "钛勺", "searches": 9, "shoppers": 7, "results": 0, "category": None},
        {"query": "folding lantern", "searches": 4, "shoppers": 3, "results": 1, "category": 1022},
        {"query": "wine glasses", "searches": 5, "shoppers": 4, "results": 0, "category": 662},
    ],
    "products": [
        {
            "product": str(uuid.uuid4()),
            "skus": ["DEMAND-LAMP-1", "DEMAND-LAMP-2"],
            "title": "露营灯",
            "views": 41,
            "viewers": 17,
            "orders": 0,
            "units": 0,
            "returns": [
                {"sku": "DEMAND-LAMP-1", "reason": "wrong_size", "units": 4, "shoppers": 4},
                {"sku": "DEMAND-LAMP-2", "reason": "not_as_described", "units": 3, "shoppers": 3},
            ],
        },
        {
            "product": str(uuid.uuid4()),
            "skus": ["SOMEONE-ELSES"],
            "title": "x",
            "views": 9,
            "viewers": 5,
            "orders": 1,
            "units": 1,
            "returns": [],
        },
    ],
}


def receive(partnership, payload):
    kind = messages.received("demand.report")
    serializer = kind.payload_serializer(data=payload)
    serializer.is_valid(raise_exception=True)
    return kind.handler(partnership=partnership, payload=serializer.validated_data, seq=1)


def merchant_with_lantern(client):
    from decimal import Decimal

    from djmoney.money import Money

    from catalog.models import Category

    merchant = catalog_services.create_merchant(name="Trailhead", slug="trailhead")
    product = catalog_services.save_product(
        merchant=merchant,
        data=catalog_services.ProductInput(
            code="LAMP",
            category_id=Category.objects.get(pk=1022).pk,
            original_language="en",
            country_of_origin="US",
            hs_code="940540",
            weight_grams=500,
            texts={"en": ("Camp lantern", ""), "zh-hans": ("露营灯", "")},
            variants=[
                catalog_services.VariantInput(sku=sku, price=Money(Decimal("20.00"), "CNY"), stock=5)
                for sku in ("DEMAND-LAMP-1", "DEMAND-LAMP-2")
            ],
        ),
    )
    user = get_user_model().objects.create_user("trail", password="pw-trail-123")
    merchant.users.add(user)
    client.force_login(user)
    return product


def test_a_partners_report_is_stored_and_its_merchant_sees_it_beside_its_own_products_by_sku(
    shop, client, django_assert_max_num_queries
):
    partnership = partner_listing().partnership
    product = merchant_with_lantern(client)

    answer = receive(partnership, PARTNER_REPORT)

    assert answer == {"day": "2026-12-04", "products": 2, "searches": 3}
    stored = DemandReport.objects.get(direction=DemandReport.Direction.RECEIVED)
    assert (stored.partnership, stored.day) == (partnership, DAY)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("merchant:product", args=[product.reference])).content.decode()
    assert 'id="partner-demand"' in page
    assert '<dd data-figure="views">41</dd>' in page and '<dd data-figure="viewers">17</dd>' in page
    assert '<dd data-figure="orders">0</dd>' in page and '<dd data-figure="returned">7</dd>' in page
    assert "wrong size or fit" in page and "not as described" in page
    assert 'data-query="钛勺"' in page and 'data-query="folding lantern"' in page
    assert 'data-query="wine glasses"' not in page  # another category's search
    listing = client.get(reverse("merchant:products")).content.decode()
    assert '<tr data-code="LAMP">' in listing and "Camp lantern" in listing


def test_the_list_page_reads_the_reports_in_a_fixed_number_of_queries(shop, client, django_assert_max_num_queries):
    partnership = partner_listing().partnership
    merchant_with_lantern(client)
    receive(partnership, PARTNER_REPORT)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("merchant:products"))
    receive(partnership, {**PARTNER_REPORT, "day": "2026-12-05"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("merchant:products"))


@pytest.mark.parametrize(
    "change",
    [
        {"day": "2026-02-31"},
        {"min_shoppers": 0},
        {"searches": [{"query": "x", "searches": -1, "shoppers": 3, "results": 0, "category": None}]},
        {
            "products": [
                {
                    **PARTNER_REPORT["products"][0],
                    "returns": [{"sku": "A", "reason": "boredom", "units": 1, "shoppers": 3}],
                }
            ]
        },
        {"products": [{**PARTNER_REPORT["products"][0], "skus": ["x" * 65]}]},
    ],
)
def test_a_malformed_report_is_refused_naming_the_field_and_nothing_is_stored(shop, change):
    serializer = messages.received("demand.report").payload_serializer(data={**PARTNER_REPORT, **change})

    assert not serializer.is_valid()
    assert set(serializer.errors) == set(change)
    assert not DemandReport.objects.exists()


# --- production wiring ----------------------------------------------------------------------------

WIRING = """
import json
import django
django.setup()
from django.conf import settings
from crossborder import hooks, messages
every = hooks.all_hooks()
print(json.dumps({
    "subscribers": {name: [s.__module__ + "." + s.__qualname__ for s in every[name].subscribers]
                    for name in ("catalog.merchant_list_sections", "catalog.merchant_product_sections")},
    "message": messages.get("demand.report") is not None,
    "beat": [str(entry["schedule"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()
             if entry["task"] == "aftersales.send_demand_reports"],
}))
"""


def test_in_production_the_report_is_scheduled_nightly_received_and_shown_to_merchants(tmp_path):
    result = run([PYTHON, "-c", WIRING], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    wiring = json.loads(result.stdout.strip().splitlines()[-1])

    assert wiring == {
        "subscribers": {
            "catalog.merchant_list_sections": ["aftersales.handlers.demand.merchant_list_demand"],
            "catalog.merchant_product_sections": ["aftersales.handlers.demand.merchant_product_demand"],
        },
        "message": True,
        "beat": ["<crontab: 20 1 * * * (m/h/dM/MY/d)>"],
    }
