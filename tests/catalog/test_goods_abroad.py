"""The merchant's "Goods abroad" page: per product and partner, offered, mirrored (confirmed by the
partner's next incremental feed fetch), viewed, sold and returned (its demand report), stock in its
warehouse and the oldest unit's age (its stock reports), and its shoppers' searches without
results. What does not reach us says "not reported by the partner", never zero."""

import datetime as dt
import re
import uuid
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from catalog import services
from catalog.models import FeedConfirmation
from crossborder import messages
from logistics.models import GoodsAbroad
from tests.partners import body_json

from .factories import make_merchant, make_product, make_user, money
from .test_feed import other_partner

pytestmark = pytest.mark.django_db

PAGE = "/en/merchant/abroad/"


def receive_demand(partnership, payload):
    kind = messages.received("demand.report")
    serializer = kind.payload_serializer(data=payload)
    serializer.is_valid(raise_exception=True)
    return kind.handler(partnership=partnership, payload=serializer.validated_data, seq=1)


def report(skus):
    return {
        "day": "2026-12-04",
        "window_days": 30,
        "min_shoppers": 3,
        "few_results": 2,
        "searches": [
            {"query": "glass baby bottle", "searches": 9, "shoppers": 7, "results": 0, "category": None},
        ],
        "products": [
            {
                "product": str(uuid.uuid4()),
                "skus": skus,
                "title": "Bottle",
                "views": 41,
                "viewers": 17,
                "orders": 5,
                "units": 6,
                "returns": [{"sku": skus[0], "reason": "wrong_size", "units": 4, "shoppers": 4}],
            }
        ],
    }


def offer(merchant, product, partnership):
    return services.set_export_offer(
        merchant=merchant,
        product=product,
        partnership=partnership,
        is_offered=True,
        export_price=money("80.00"),
        direct_stock=5,
    )


@pytest.fixture
def shop(client, remote):
    """A merchant with two products offered to two partners: `us` sent a demand report and stock
    reports; `jp` sent nothing yet."""
    user = make_user()
    merchant = make_merchant(name="Panda Baby", users=[user])
    reported, quiet = make_product(merchant, code="BOTTLE"), make_product(merchant, code="SPOON")
    other = other_partner()
    for product in (reported, quiet):
        offer(merchant, product, remote.partnership)
        offer(merchant, product, other.partnership)
    skus = list(reported.variants.values_list("sku", flat=True))
    receive_demand(remote.partnership, report(skus))
    GoodsAbroad.objects.create(
        partnership=remote.partnership,
        sku=skus[0],
        on_hand=12,
        sold_total=30,
        oldest_unit_age_days=95,
        reported_at=timezone.now(),
    )
    client.force_login(user)
    return {"reported": reported, "quiet": quiet, "us": remote.partnership, "jp": other.partnership}


def cell(page, code, partner, column):
    product = re.search(rf'<tbody class="abroad-product" data-code="{code}">(.*?)</tbody>', page, re.S).group(1)
    row = re.search(rf'<tr data-partner="{partner}">(.*?)</tr>', product, re.S).group(1)
    found = re.search(rf'data-column="{column}"[^>]*>(.*?)</td>', row, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", found).split())


def test_the_partners_reports_fill_the_figures_per_product_and_partner(client, shop):
    page = client.get(PAGE).content.decode()
    assert cell(page, "BOTTLE", "us", "viewed").startswith("41 17 shoppers · 30 days to")
    assert "6 5 orders · 30 days to" in cell(page, "BOTTLE", "us", "sold")
    assert "30 from its warehouse, all reports" in cell(page, "BOTTLE", "us", "sold")
    assert cell(page, "BOTTLE", "us", "returned") == "4 wrong size or fit 4"
    assert cell(page, "BOTTLE", "us", "stock").startswith("12 oldest unit 95 days · as of")
    assert 'data-query="glass baby bottle"' in page or "glass baby bottle" in page


def test_a_product_the_report_leaves_out_says_too_few_shoppers_not_zero(client, shop):
    page = client.get(PAGE).content.decode()
    for column in ("viewed", "sold", "returned"):
        assert cell(page, "SPOON", "us", column) == "fewer than 3 shoppers"
    assert cell(page, "SPOON", "us", "stock") == "none consigned"


def test_a_partner_that_sent_nothing_shows_not_reported_never_zero(client, shop):
    page = client.get(PAGE).content.decode()
    for column in ("mirrored", "viewed", "sold", "returned"):
        assert cell(page, "BOTTLE", "jp", column) == "not reported by the partner", column
    section = page.split('data-partner="jp"')[-1]
    assert "not reported by the partner" in section


def test_an_incremental_fetch_confirms_what_the_partner_mirrored(client, shop, api, remote):
    since = timezone.now() + dt.timedelta(seconds=1)
    response = remote.send(
        api, remote.sign("GET", "/partner-api/v1/catalog/?" + urlencode({"updated_since": since.isoformat()}))
    )
    assert response.status_code == 200, body_json(response)
    assert FeedConfirmation.objects.get(partnership=shop["us"]).mirrored_before <= timezone.now()
    page = client.get(PAGE).content.decode()
    assert cell(page, "BOTTLE", "us", "mirrored").startswith("yes")
    services.set_export_offer(
        merchant=shop["quiet"].merchant,
        product=shop["quiet"],
        partnership=shop["us"],
        is_offered=True,
        export_price=money("70.00"),
        direct_stock=5,
    )
    page = client.get(PAGE).content.decode()
    assert cell(page, "SPOON", "us", "mirrored").startswith("not yet")


def test_a_full_fetch_confirms_nothing_and_a_watermark_never_moves_back(api, remote, shop):
    assert remote.send(api, remote.sign("GET", "/partner-api/v1/catalog/")).status_code == 200
    assert not FeedConfirmation.objects.exists()
    later = timezone.now() - dt.timedelta(minutes=1)
    services.confirm_feed_mirrored(partnership=shop["us"], mirrored_before=later)
    services.confirm_feed_mirrored(partnership=shop["us"], mirrored_before=later - dt.timedelta(hours=1))
    assert FeedConfirmation.objects.get().mirrored_before == later


def test_the_page_runs_a_fixed_number_of_queries(client, shop, remote, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as few:
        client.get(PAGE)
    merchant = shop["reported"].merchant
    for n in range(5):
        offer(merchant, make_product(merchant, code=f"MORE-{n}"), remote.partnership)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(PAGE).status_code == 200
