"""Three real instances at once (cn, us and jp, every pair partnered; the partnerships with jp
settle in yen): a cn merchant offers one product to us and to jp at different export prices and
each zone shows its own; a jp shopper buys from the cn zone and from the us zone, each order in
whole yen, paid by card; both exporters see their forwarded orders; every platform closes the same
period, each partnership in its own currency, and the two statements of each partnership match.

Web servers only; outboxes are relayed by the test. PostgreSQL when CROSSBORDER_TEST_POSTGRES is
set, else SQLite files."""

import json
from decimal import Decimal

import pytest
import requests

from .pairs import close_the_same_period, partnered_trio
from .test_purchase_and_settlement import LISTINGS, SOLD_ABROAD, last_json, order_status, pay_with_card, place_order
from .test_two_instances import manage

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]  # three instances migrate at once

DATABASES = ("crossborder_e2e_trio_cn", "crossborder_e2e_trio_us", "crossborder_e2e_trio_jp")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}
TIMEOUT = 30

# The exporters' goods: code -> (title, Chinese title, category, HS code, home price, {partner: export price}).
GOODS = {
    "cn": {
        "TEASET": ("Tea set", "茶具套装", 662, "691110", "239.00", {"us": "199.00", "jp": "170.00"}),
        "CADDY": ("Tea caddy", "茶叶罐", 662, "732393", "45.00", {"jp": "35.50"}),
    },
    "us": {"LAMP": ("Camp lantern", "露营灯", 1022, "940540", "29.99", {"jp": "20.00"})},
}
CURRENCY = {"cn": "CNY", "us": "USD", "jp": "JPY"}

OFFER = """
import json
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import Partner

me, currency = {me!r}, {currency!r}
merchant = services.create_merchant(name=f"Exporter of {{me}}", slug=f"exporter-{{me}}")
for code, (title, chinese, category, hs_code, price, offers) in json.loads({goods!r}).items():
    product = services.save_product(merchant=merchant, data=services.ProductInput(
        code=code, category_id=category, original_language="en", country_of_origin=me.upper(),
        hs_code=hs_code, weight_grams=500, texts={{"en": (title, ""), "zh-hans": (chinese, "")}},
        variants=[services.VariantInput(sku=f"{{me.upper()}}-{{code}}", price=Money(Decimal(price), currency),
                                        stock=100)],
    ))
    for partner, export_price in offers.items():
        services.set_export_offer(
            merchant=merchant, product=product, partnership=Partner.objects.get(code=partner).live_partnership(),
            is_offered=True, export_price=Money(Decimal(export_price), currency), direct_stock=40)
print("ok")
"""

# The same rates everywhere, stamped well before anything is priced or settled.
RATES = """
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from crossborder.models import ExchangeRate
as_of = timezone.now() - dt.timedelta(days=30)
for base, quote, rate in (("USD", "CNY", "7.2"), ("USD", "JPY", "150"), ("CNY", "JPY", "20.83333333")):
    ExchangeRate.objects.create(base=base, quote=quote, rate=Decimal(rate), as_of=as_of)
print("ok")
"""

LISTINGS_OF = LISTINGS.replace(
    'PartnerListing.objects.select_related("partnership")',
    'PartnerListing.objects.select_related("partnership").filter(partnership__partner__code=partner)',
)

BATCHES = """
import json
from payments.models import SettlementBatch
print(json.dumps({
    b.partnership.partner.code: {
        "currency": b.currency, "status": b.status, "net": str(b.net_amount), "disputes": b.disputes.count(),
        "lines": sorted([l.event_reference, l.currency, str(l.amount)] for l in b.lines.all()),
    }
    for b in SettlementBatch.objects.select_related("partnership__partner")
}))
"""

SHOPPER = {
    "recipient": {
        "name": "佐藤 花子",
        "address_lines": ["平和島1-1-1"],
        "country_area": "東京都",
        "city": "大田区",
        "postcode": "143-0006",
        "country": "JP",
    },
    "email": "hanako.sato@example.com",
    "phone": "+81 90 1234 5678",
}


@pytest.fixture(scope="module")
def trio(request, tmp_path_factory):
    with partnered_trio(request, tmp_path_factory, name="e2e-trio", databases=DATABASES, env=ENV) as instances:
        yield instances


def listings_of(instance, partner):
    return last_json(manage(instance, "shell", "-c", f"partner = {partner!r}\n" + LISTINGS_OF))


def test_a_jp_shopper_buys_from_two_zones_in_yen_and_each_partnership_settles_in_its_currency(trio):
    cn, us, jp = trio
    instances = {"cn": cn, "us": us, "jp": jp}
    for instance in trio:
        manage(instance, "shell", "-c", RATES)
    for me in ("cn", "us"):
        goods = json.dumps(GOODS[me])
        manage(instances[me], "shell", "-c", OFFER.format(me=me, currency=CURRENCY[me], goods=goods))

    # Each importer mirrors what its partners offer it and prices it in its own currency.
    for importer, exporter, count in (("us", "cn", 1), ("jp", "cn", 2), ("jp", "us", 1)):
        out = manage(instances[importer], "sync_partner_catalog", "--partner", exporter)
        assert "succeeded" in out and f"{count} changed" in out and "0 rejected" in out, out
        manage(instances[importer], "reprice_listings", "--partner", exporter)
    on_us, from_cn, from_us = listings_of(us, "cn"), listings_of(jp, "cn"), listings_of(jp, "us")

    # One cn product, two partners, two export prices: each zone shows its own.
    assert on_us["CN-TEASET"]["export_price"] == ["199.00", "CNY"]
    assert from_cn["CN-TEASET"]["export_price"] == ["170.00", "CNY"]
    assert on_us["CN-TEASET"]["price"][1] == "USD"
    for listing in (*from_cn.values(), *from_us.values()):
        assert listing["orderable"] and listing["price"][1] == "JPY", listing
        assert Decimal(listing["price"][0]) == Decimal(listing["price"][0]).to_integral_value(), listing
    for zone, listing in (("cn", from_cn["CN-TEASET"]), ("us", from_us["US-LAMP"])):
        page = requests.get(f"{jp.base_url}/zone/{zone}/", timeout=TIMEOUT)
        assert page.status_code == 200 and f"{int(Decimal(listing['price'][0])):,}" in page.text, zone

    # The jp shopper orders from the cn zone and from the us zone, each order in whole yen.
    orders = {}
    for exporter, basket in (("cn", {"TEASET": 1, "CADDY": 2}), ("us", {"LAMP": 3})):
        mirrored = listings_of(jp, exporter)
        items = [{"listing": mirrored[f"{exporter.upper()}-{code}"]["id"], "quantity": n} for code, n in basket.items()]
        total = sum(Decimal(mirrored[f"{exporter.upper()}-{code}"]["price"][0]) * n for code, n in basket.items())
        answer = place_order(jp, SHOPPER, items, total)
        assert answer["total"]["currency"] == "JPY" and Decimal(answer["total"]["amount"]) == total, answer
        assert total == total.to_integral_value()
        pay_with_card(jp, answer["payment_url"])
        assert order_status(jp, answer["token"]) == "paid"
        orders[exporter] = (answer, basket)

    # jp forwards each order to its exporter; each sees only its own.
    manage(jp, "relay_outbox")
    for exporter, (_answer, basket) in orders.items():
        abroad = last_json(manage(instances[exporter], "shell", "-c", SOLD_ABROAD))
        assert [row[2] for row in abroad["orders"]] == [len(basket)], abroad

    # Everyone closes the same period; each partnership settles in its own currency and both
    # sides' statements agree line by line.
    close_the_same_period(cn, us, jp)
    batches = {code: last_json(manage(instance, "shell", "-c", BATCHES)) for code, instance in instances.items()}
    for first, second, currency in (("cn", "jp", "JPY"), ("us", "jp", "JPY")):
        mine, theirs = batches[first][second], batches[second][first]
        assert mine["currency"] == theirs["currency"] == currency, (mine, theirs)
        assert mine["status"] == theirs["status"] == "reconciled", (mine, theirs)
        assert mine["disputes"] == theirs["disputes"] == 0
        assert Decimal(mine["net"]) == -Decimal(theirs["net"]) != 0
        assert Decimal(mine["net"]) == Decimal(mine["net"]).to_integral_value()
        assert {(r, c): Decimal(a) for r, c, a in mine["lines"]} == {(r, c): -Decimal(a) for r, c, a in theirs["lines"]}
        assert Decimal(mine["net"]) > 0  # jp owes its exporters
    if "us" in batches["cn"]:
        assert batches["cn"]["us"]["currency"] == "USD"
