"""A returned partner unit resold across two real instances: on `cn`, a `us` product a cn shopper
bought comes back graded like new; the agreement's rules (China allows it within the period, in
the partner zone only) put it into the partner's graded stock; its graded offer shows on the zone's
listing page, discounted by the grade; another cn shopper buys it through the shop API under the
CBEC rules (refused without an ID, then with one); `us` receives the `return.disposition` message;
both sides close the next settlement, which reconciles and shows the resale credited to us: the
proceeds less the agreed resale fee, as computed here from the order line.

Web servers only; outboxes are relayed by the test. The return itself (received and graded) is
written on cn by a shell script, as the return flow would."""

import json
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
import requests

from .pairs import partnered_pair
from .test_purchase_and_settlement import (
    OFFER,
    RATE,
    SHOPPERS,
    TIMEOUT,
    USD_CNY,
    close_next_period,
    last_json,
    order_status,
    pay_with_wallet,
    place_order,
)
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_resale_cn", "crossborder_e2e_resale_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}
GOODS = {"LAMP": ("Camp lantern", "露营灯", 1022, "940540", Decimal("20.00"))}
LIKE_NEW_DISCOUNT = Decimal("0.15")  # the agreement's default for like new (crossborder.terms)
RESALE_FEE = Decimal("0.10")  # the agreement's default resale fee rate
SECOND_SHOPPER = {
    **SHOPPERS["cn"],
    "recipient": {"name": "王芳", "address_lines": ["南京西路 1 号"], "city": "上海", "country": "CN"},
    "email": "wang.fang@example.com",
    "phone": "+86 139 0013 9000",
    "buyer_name": "王芳",
    "buyer_id_number": "310104198503120021",
}

LISTING = """
import json
from partner_zone.models import PartnerListing
l = PartnerListing.objects.get()
print(json.dumps({"id": l.pk, "reference": str(l.reference), "price": str(l.price.amount)}))
"""

# The cn shopper's unit comes back and is graded like new (what the return flow records); then the
# agreement's rules decide it, as the return flow calls them after grading.
RETURNED = """
import json, secrets
from django.utils import timezone
from aftersales.models import ReturnLine, ReturnRequest, ReturnUnit, Thread
from aftersales.services import disposition
from logistics.models import StockLevel
from payments.models import Order
order = Order.objects.get(token=token)
line = order.lines.get()
request = ReturnRequest.objects.create(token=secrets.token_hex(16), order=order, reason="no_reason",
    status="inspected", thread=Thread.objects.create(subject="return"))
returned = ReturnLine.objects.create(request=request, order_line=line, quantity=1)
unit = ReturnUnit.objects.create(line=returned, number=1, partnership=line.partnership, grade="like_new",
    received_at=timezone.now(), inspected_at=timezone.now())
[unit] = disposition.apply_rules([unit])
graded = StockLevel.objects.get(owner=line.partnership.partner, grade="like_new")
print(json.dumps({"disposition": unit.disposition, "by_rule": unit.disposition_by_rule,
                  "graded": [graded.on_hand, graded.reserved], "unit": disposition.unit_key(unit)}))
"""

LINE = """
import json
from payments.models import Order
line = Order.objects.get(token=token).lines.get()
print(json.dumps({"reference": line.reference, "grade": line.grade, "fulfilment": line.fulfilment,
                  "total": str(line.total.amount), "goods": str(line.goods.amount), "taxes": str(line.taxes.amount),
                  "shipping": str(line.shipping.amount), "unit_price": str(line.unit_price.amount)}))
"""

RECEIVED = """
import json
from aftersales.models import ReceivedDisposition
from payments.models import ForwardedOrder, LedgerTransaction
print(json.dumps({
    "dispositions": [[r.unit, r.grade, r.disposition, r.by_rule, str(r.resale_discount_percent)]
                     for r in ReceivedDisposition.objects.all()],
    "graded_lines": [l for f in ForwardedOrder.objects.all() for l in f.lines if l.get("grade")],
    "sold": sorted(LedgerTransaction.objects.filter(kind="goods_sold_abroad").values_list("reference", flat=True)),
}))
"""

BATCH = """
import json
from payments.models import SettlementBatch
batch = SettlementBatch.objects.get()
print(json.dumps({"status": batch.status, "disputes": batch.disputes.count(),
                  "lines": sorted([l.event_reference, l.currency, str(l.amount)] for l in batch.lines.all())}))
"""


def cents(amount, rounding=ROUND_HALF_EVEN):
    return amount.quantize(Decimal("0.01"), rounding=rounding)


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-resale", databases=DATABASES, env=ENV) as pair:
        yield pair


def test_a_returned_us_unit_is_resold_in_the_us_zone_on_cn_and_settled_as_proceeds_less_fee(pair):
    cn, us = pair
    manage(cn, "ensure_warehouse", "--code", "sha-1", "--name", "Shanghai bonded warehouse", "--country", "CN",
           "--operator", "cn", "--address", "1 Bonded Road, Shanghai")  # fmt: skip
    goods = json.dumps({code: [*row[:4], str(row[4])] for code, row in GOODS.items()})
    manage(us, "shell", "-c", OFFER.format(me="us", partner="cn", language="en", goods=goods, currency="USD"))
    for instance in (cn, us):
        manage(instance, "shell", "-c", RATE.format(rate=str(USD_CNY)))
    manage(cn, "sync_partner_catalog", "--partner", "us")
    manage(cn, "reprice_listings", "--partner", "us")
    listing = last_json(manage(cn, "shell", "-c", LISTING))

    # A cn shopper buys the lantern and returns it; it is graded like new and the rules resell it.
    first = place_order(cn, SHOPPERS["cn"], [{"listing": listing["id"], "quantity": 1}], Decimal(listing["price"]))
    assert pay_with_wallet(cn, first["payment_url"])["state"] == "captured"
    decided = last_json(manage(cn, "shell", "-c", f"token = {first['token']!r}\n" + RETURNED))
    assert decided == {"disposition": "resell", "by_rule": True, "graded": [1, 0], "unit": decided["unit"]}

    # The zone's listing page shows the graded offer, marked and discounted by its grade.
    page = requests.get(f"{cn.base_url}/en/zone/us/p/{listing['reference']}/", timeout=TIMEOUT)
    assert page.status_code == 200
    offer = re.search(r'class="graded-offer" data-grade="like_new".*?data-price="([0-9.]+)"', page.text, re.S)
    assert offer and "Grade: like new" in page.text, page.text[-3000:]
    shown = Decimal(offer.group(1))
    list_price = Decimal(re.search(r'data-grade="like_new".*?<s class="list-price">[^0-9]*([0-9.,]+)<', page.text,
                                   re.S).group(1).replace(",", ""))  # fmt: skip
    assert shown == cents(list_price * (1 - LIKE_NEW_DISCOUNT), ROUND_HALF_UP)

    # Another cn shopper buys it under the CBEC rules: refused without a real name and ID number.
    item = [{"listing": listing["id"], "grade": "like_new", "quantity": 1}]
    anonymous = {k: v for k, v in SECOND_SHOPPER.items() if k not in ("buyer_name", "buyer_id_number")}
    refused = requests.post(
        cn.base_url + "/api/shop/v1/orders/",
        json={"items": item, "expected_total": str(shown), **anonymous},
        timeout=TIMEOUT,
    )
    assert refused.status_code == 400 and refused.json()["field"].startswith("buyer"), refused.text
    second = place_order(cn, SECOND_SHOPPER, item, shown)
    assert pay_with_wallet(cn, second["payment_url"])["state"] == "captured"
    assert order_status(cn, second["token"]) == "paid"
    sold = last_json(manage(cn, "shell", "-c", f"token = {second['token']!r}\n" + LINE))
    assert (sold["grade"], sold["fulfilment"], Decimal(sold["total"])) == ("like_new", "consignment", shown)

    # us hears of the decision, and of the resale as a forwarded line with its grade.
    manage(cn, "relay_outbox")
    received = last_json(manage(us, "shell", "-c", RECEIVED))
    assert received["dispositions"] == [[decided["unit"], "like_new", "resell", True, "15.00"]]
    [graded_line] = received["graded_lines"]
    assert graded_line["reference"] == sold["reference"] and sold["reference"] in received["sold"]

    # The next settlement on both sides reconciles and carries the resale: proceeds less the fee.
    close_next_period(cn, us)
    cn_batch = last_json(manage(cn, "shell", "-c", BATCH))
    us_batch = last_json(manage(us, "shell", "-c", BATCH))
    assert cn_batch["status"] == us_batch["status"] == "reconciled", (cn_batch, us_batch)
    assert cn_batch["disputes"] == 0
    proceeds = Decimal(sold["total"]) - Decimal(sold["taxes"]) - Decimal(sold["shipping"])
    credit = proceeds - cents(proceeds * RESALE_FEE)
    lines = {(ref, currency): Decimal(amount) for ref, currency, amount in cn_batch["lines"]}
    assert lines[(sold["reference"], "CNY")] == -credit
    assert {(ref, currency): -Decimal(amount) for ref, currency, amount in us_batch["lines"]} == lines
    assert graded_line["export_amount"] == {"amount": str(credit), "currency": "CNY"}
