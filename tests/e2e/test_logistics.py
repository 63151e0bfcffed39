"""Split logistics between two real instances: `us` ships a consignment of offered goods into
`cn`'s warehouse; `cn` receives it with one short and one damaged line and sells some units;
the nightly handoff tells `us` exactly what sold and what is left, with ages; 91 days later (a
simulated clock) the units still there are listed as aged.

Web servers only; each outbox is relayed with `relay_outbox` at the step that needs it, so the
order of events is the test's. PostgreSQL when CROSSBORDER_TEST_POSTGRES is set, else SQLite."""

import datetime as dt
import json

import pytest

from .pairs import partnered_pair
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_logistics_cn", "crossborder_e2e_logistics_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}

# us: a shop whose three SKUs are offered to cn.
US_GOODS = """
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import Partner

partnership = Partner.objects.get(code="cn").live_partnership()
merchant = services.create_merchant(name="Ridge Outfitters", slug="ridge")
for code, title, grams in (("LAMP", "Camp lantern", 400), ("MUG", "Enamel mug", 250), ("PAN", "Cast iron pan", 2400)):
    product = services.save_product(merchant=merchant, data=services.ProductInput(
        code=code, category_id=1022 if code == "LAMP" else 662, original_language="en", country_of_origin="US",
        hs_code="940540" if code == "LAMP" else "732391", weight_grams=grams,
        texts={"en": (title, ""), "zh-hans": (title, "")},
        variants=[services.VariantInput(sku=f"RDG-{code}", price=Money(Decimal("30.00"), "USD"), stock=100)],
    ))
    services.set_export_offer(merchant=merchant, product=product, partnership=partnership, is_offered=True,
                              export_price=Money(Decimal("20.00"), "USD"), direct_stock=0)
print("ok")
"""

CN_STOCK = """
import json
from logistics.models import StockLevel
print(json.dumps({l.sku: [l.owner.code if l.owner_id else None, l.on_hand, l.reserved]
                  for l in StockLevel.objects.select_related("owner")}))
"""

US_VIEW = """
import json
from logistics.models import Consignment, Discrepancy, GoodsAbroad
consignment = Consignment.objects.get(direction="outbound")
print(json.dumps({
    "status": consignment.status,
    "lines": {l.sku: [l.quantity, l.counted, l.damaged] for l in consignment.lines.all()},
    "flags": sorted({(d.sku, d.field) for d in Discrepancy.objects.filter(kind="receipt")}),
    "stock_flags": Discrepancy.objects.filter(kind="stock_report").count(),
    "abroad": {g.sku: {"on_hand": g.on_hand, "sold": g.sold_total, "expected": g.expected_on_hand,
                       "age": g.oldest_unit_age_days, "buckets": g.age_buckets} for g in GoodsAbroad.objects.all()},
}))
"""


def last_json(output):
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-logistics", databases=DATABASES, env=ENV) as pair:
        yield pair


def relay(instance):
    manage(instance, "relay_outbox")


def test_a_consignment_from_us_is_received_sold_reported_and_aged_in_cn(pair):
    cn, us = pair
    manage(cn, "demo_logistics")  # cn's warehouse sha-1
    manage(us, "shell", "-c", US_GOODS)

    # us plans the first leg and sends the advance shipment notice.
    planned = manage(
        us, "plan_consignment", "--partner", "cn", "--line", "RDG-LAMP:10", "--line", "RDG-MUG:5",
        "--line", "RDG-PAN:4", "--carrier", "COSCO", "--tracking", "COSU123", "--cartons", "3",
        "--weight-grams", "15000", "--cost", "120.00", "--send",
    )  # fmt: skip
    reference = planned.split()[0]
    # cn checks a notice against the catalog us offered it, as cn's partner zone mirrored it.
    manage(cn, "sync_partner_catalog", "--partner", "us")
    relay(us)

    # cn counts it in: one MUG short, one PAN damaged.
    manage(
        cn, "receive_consignment", "--consignment", reference, "--count", "RDG-LAMP:10", "--count", "RDG-MUG:4",
        "--count", "RDG-PAN:4", "--damaged", "RDG-PAN:1", "--complete",
    )  # fmt: skip
    stock = last_json(manage(cn, "shell", "-c", CN_STOCK))
    assert stock == {"RDG-LAMP": ["us", 10, 0], "RDG-MUG": ["us", 4, 0], "RDG-PAN": ["us", 3, 0]}

    # cn sells three lanterns and a mug from the consignment stock and ships them at home.
    for line, sku, quantity in (("o-1/1", "RDG-LAMP", "2"), ("o-2/1", "RDG-LAMP", "1"), ("o-2/2", "RDG-MUG", "1")):
        manage(
            cn, "ship_order_line", "--order-line", line, "--sku", sku, "--quantity", quantity, "--name", "王芳",
            "--address", "长宁路 1018 号", "--city", "上海", "--country", "CN", "--owner", "us", "--ship",
        )  # fmt: skip

    # The nightly handoff, and the receipt before it, reach us.
    manage(cn, "run_handoff", "--partner", "us")
    relay(cn)
    view = last_json(manage(us, "shell", "-c", US_VIEW))
    assert view["status"] == "received"
    assert view["lines"] == {"RDG-LAMP": [10, 10, 0], "RDG-MUG": [5, 4, 0], "RDG-PAN": [4, 4, 1]}
    assert ["RDG-MUG", "short"] in view["flags"] and ["RDG-PAN", "damaged"] in view["flags"]
    abroad = view["abroad"]
    assert {sku: (row["on_hand"], row["sold"]) for sku, row in abroad.items()} == {
        "RDG-LAMP": (7, 3),
        "RDG-MUG": (3, 1),
        "RDG-PAN": (3, 0),
    }
    assert all(row["expected"] == row["on_hand"] and row["age"] == 0 for row in abroad.values())
    assert view["stock_flags"] == 0

    # 91 days on (simulated clock): the units still in cn are aged past the 90-day threshold.
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=91)).isoformat()
    listing = manage(cn, "review_aged_stock", "--partner", "us", "--now", later, "--list")
    aged_lines = [line for line in listing.splitlines() if "AGED" in line]
    assert {sku for sku in ("RDG-LAMP", "RDG-MUG", "RDG-PAN") if any(sku in line for line in aged_lines)} == {
        "RDG-LAMP",
        "RDG-MUG",
        "RDG-PAN",
    }
    manage(cn, "run_handoff", "--partner", "us", "--now", later)
    relay(cn)
    abroad = last_json(manage(us, "shell", "-c", US_VIEW))["abroad"]
    assert abroad["RDG-LAMP"]["age"] >= 91 and abroad["RDG-LAMP"]["buckets"]["91-180"] == 7
    assert abroad["RDG-LAMP"]["sold"] == 3  # nothing sold since: the total stays
