"""Demand back to the partner across two real instances (issue 15): `cn` shoppers search `us`'s zone
for things it does not have, view its goods, buy the lantern and return it; `cn`'s nightly report
(command `send_demand_reports`) reaches `us` through the outbox, aggregated, with figures from too
few shoppers left out; `us`'s merchant sees it on its product page and product list, in Chromium,
in English and Chinese, at desktop and phone width (screenshots in test-artifacts/).

Web servers only; the outbox is relayed by the test. PostgreSQL when CROSSBORDER_TEST_POSTGRES is
set, else SQLite files."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import requests

from tests.chromium import ARTIFACTS

from .pairs import partnered_pair
from .test_partner_zone import US_GOODS
from .test_purchase_and_settlement import RATE, SHOPPERS, TIMEOUT, USD_CNY, last_json, pay_with_wallet, place_order
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_demand_cn", "crossborder_e2e_demand_us")
MIN_SHOPPERS = 2
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false", "CROSSBORDER_DEMAND_MIN_SHOPPERS": str(MIN_SHOPPERS)}
PASSWORD = "ridge-merchant-pw-1"

LISTINGS = """
import json
from partner_zone.models import PartnerListing
print(json.dumps({l.variants[0]["sku"]: {"id": l.pk, "reference": str(l.reference), "price": str(l.price.amount)}
                  for l in PartnerListing.objects.all()}))
"""

# cn: the lantern's orders come back: two for the size, one damaged (a reason from too few shoppers).
RETURNS = """
import uuid
from aftersales.models import ReturnLine, ReturnRequest, Thread
from payments.models import Order
for order, reason in zip(Order.objects.filter(status="paid").order_by("number"), ["wrong_size", "wrong_size", "damaged"]):
    request = ReturnRequest.objects.create(token=uuid.uuid4().hex, order=order, reason=reason,
                                           thread=Thread.objects.create(subject=f"return of {order.number}"))
    ReturnLine.objects.create(request=request, order_line=order.lines.get(), quantity=1)
print("ok")
"""

RECEIVED = """
import json
from aftersales.models import DemandReport
print(json.dumps([[r.direction, r.day.isoformat(), r.payload] for r in DemandReport.objects.all()]))
"""

MERCHANT_USER = """
from django.contrib.auth import get_user_model
from catalog.models import Merchant
user = get_user_model().objects.create_user("ridge", password={password!r})
Merchant.objects.get(slug="ridge").users.add(user)
print("ok")
"""


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-demand", databases=DATABASES, env=ENV) as pair:
        yield pair


def zone_visits(cn, listings):
    """Four cn shoppers (browsers of their own) search the us zone and look at its goods."""
    zone = f"{cn.base_url}/zone/us"
    lamp, mug = listings["RDG-LAMP"], listings["RDG-MUG"]
    for n in range(4):
        shopper = requests.Session()
        searches = [{"q": "钛合金勺子"}, {"q": "Titanium Spork"}]
        if n < 3:  # a headlamp, narrowed to the lantern's category
            searches.append({"q": "头灯", "category": "1022"})
        if n < 2:
            searches.append({"q": "折叠露营椅"})
        if n == 0:
            searches.append({"q": "帐篷"})  # one shopper only: never reported
        for params in searches:
            assert shopper.get(f"{zone}/search/", params=params, timeout=TIMEOUT).status_code == 200
        assert shopper.get(f"{zone}/p/{lamp['reference']}/", timeout=TIMEOUT).status_code == 200
        if n < 3:
            assert shopper.get(f"{zone}/p/{mug['reference']}/", timeout=TIMEOUT).status_code == 200


def buy_lanterns(cn, lamp):
    for n in range(3):
        shopper = {**SHOPPERS["cn"], "email": f"shopper{n}@example.com"}
        order = place_order(cn, shopper, [{"listing": lamp["id"], "quantity": 1}], Decimal(lamp["price"]))
        assert pay_with_wallet(cn, order["payment_url"])["state"] == "captured"


def test_cn_shoppers_demand_reaches_us_and_its_merchant_reads_it_beside_the_product(pair, browser):
    cn, us = pair
    references = last_json(manage(us, "shell", "-c", US_GOODS))
    manage(cn, "shell", "-c", RATE.format(rate=str(USD_CNY)))
    assert "succeeded" in manage(cn, "sync_partner_catalog", "--partner", "us")
    manage(cn, "reprice_listings", "--partner", "us")
    listings = last_json(manage(cn, "shell", "-c", LISTINGS))

    zone_visits(cn, listings)
    buy_lanterns(cn, listings["RDG-LAMP"])
    manage(cn, "shell", "-c", RETURNS)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert "us " + today + ": queued" in manage(cn, "send_demand_reports", "--day", today)
    assert "already sent" in manage(cn, "send_demand_reports", "--day", today)  # once a day
    manage(cn, "relay_outbox")

    [(direction, day, report)] = last_json(manage(us, "shell", "-c", RECEIVED))
    assert (direction, day, report["min_shoppers"]) == ("received", today, MIN_SHOPPERS)
    assert [(s["query"], s["shoppers"], s["results"], s["category"]) for s in report["searches"]] == [
        ("titanium spork", 4, 0, None),
        ("钛合金勺子", 4, 0, None),
        ("头灯", 3, 0, 1022),
        ("折叠露营椅", 2, 0, None),
    ]
    products = {p["skus"][0]: p for p in report["products"]}
    assert {sku: (p["views"], p["viewers"], p["orders"], p["units"]) for sku, p in products.items()} == {
        "RDG-LAMP": (4, 4, 3, 3),
        "RDG-MUG": (3, 3, 0, 0),
    }
    assert products["RDG-LAMP"]["product"] == references["LAMP"]
    assert products["RDG-LAMP"]["returns"] == [{"sku": "RDG-LAMP", "reason": "wrong_size", "units": 2, "shoppers": 2}]
    assert "example.com" not in json.dumps(report)

    manage(us, "shell", "-c", MERCHANT_USER.format(password=PASSWORD))
    merchant_sees_it(browser, us, references)


def merchant_sees_it(browser, us, references):
    ARTIFACTS.mkdir(exist_ok=True)
    for prefix, language in (("", "en"), ("/zh-hans", "zh-hans")):
        for width, height in ((1200, 900), (390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height})
            try:
                page = context.new_page()
                page.goto(f"{us.base_url}{prefix}/merchant/login/")
                page.fill("#id_username", "ridge")
                page.fill("#id_password", PASSWORD)
                page.locator("form button[type=submit]").first.click()
                page.wait_for_url(f"**{prefix}/merchant/")
                lamp_page(page, us, prefix, references["LAMP"], language)
                page.screenshot(path=str(ARTIFACTS / f"demand-product-{language}-{width}.png"), full_page=False)
                page.goto(f"{us.base_url}{prefix}/merchant/")
                panel = page.locator("#partner-demand")
                assert panel.locator('tr[data-code="LAMP"]').count() == 1
                assert panel.locator('tr[data-code="MUG"]').count() == 1
                page.screenshot(path=str(ARTIFACTS / f"demand-list-{language}-{width}.png"), full_page=True)
                assert page.evaluate("document.querySelector('#partner-demand').scrollWidth") <= width
            finally:
                context.close()


def lamp_page(page, us, prefix, reference, language):
    page.goto(f"{us.base_url}{prefix}/merchant/products/{reference}/")
    panel = page.locator("#partner-demand")
    panel.scroll_into_view_if_needed()
    assert panel.locator('dd[data-figure="views"]').inner_text() == "4"
    assert panel.locator('dd[data-figure="orders"]').inner_text() == "3"
    assert panel.locator('dd[data-figure="returned"]').inner_text() == "2"
    queries = panel.locator("[data-query]").evaluate_all("nodes => nodes.map(n => n.dataset.query)")
    assert queries == ["titanium spork", "钛合金勺子", "头灯", "折叠露营椅"]
    reason = "wrong size or fit" if language == "en" else panel.locator(".demand-reasons li span").inner_text()
    assert reason in panel.inner_text()
