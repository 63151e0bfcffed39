"""A returned partner unit resold across two real instances: on `cn`, a `us` product a cn shopper
bought comes back graded like new; the agreement's rules (China allows it within the period, in
the partner zone only) put it into the partner's graded stock; its graded offer shows on the zone's
listing page, discounted by the grade; another cn shopper buys it through the shop API under the
CBEC rules (refused without an ID, then with one); `us` receives the `return.disposition` message;
both sides close the next settlement, which reconciles and shows the resale credited to us: the
proceeds less the agreed resale fee, as computed here from the order line.

Web servers only; outboxes are relayed by the test. The return itself (received and graded) is
written on cn by a shell script, as the return flow would."""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import pytest

from .aftersales_steps import (
    BATCH,
    LIKE_NEW_DISCOUNT,
    LINE,
    LISTING,
    REPAIR_AND_SEND_BACK,
    RESALE_FEE,
    SECOND_SHOPPER,
    TOLD,
    UNIT_STEPS,
    cents,
    graded_offer,
    offer_us_goods,
    page,
    refused_without_id,
    run,
)
from .pairs import partnered_pair
from .test_purchase_and_settlement import GOODS as BOTH_GOODS
from .test_purchase_and_settlement import (
    SHOPPERS,
    close_next_period,
    order_status,
    pay_with_wallet,
    place_order,
)
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_resale_cn", "crossborder_e2e_resale_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}
GOODS = {"LAMP": BOTH_GOODS["us"]["LAMP"]}

# The cn shopper's unit comes back and is graded like new (what the return flow records); then the
# agreement's rules decide it, as the return flow calls them after grading.
RETURNED = """
import json, secrets
from django.utils import timezone
from aftersales.models import ReturnLine, ReturnRequest, ReturnUnit, Thread
from aftersales.returns.services import disposition
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


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-resale", databases=DATABASES, env=ENV) as pair:
        yield pair


def test_a_returned_us_unit_is_resold_in_the_us_zone_on_cn_and_settled_as_proceeds_less_fee(pair):
    cn, us = pair
    offer_us_goods(cn, us, GOODS, warehouse="Shanghai bonded warehouse")
    listing = run(cn, LISTING, sku="US-LAMP")

    # A cn shopper buys the lantern and returns it; it is graded like new and the rules resell it.
    first = place_order(cn, SHOPPERS["cn"], [{"listing": listing["id"], "quantity": 1}], Decimal(listing["price"]))
    assert pay_with_wallet(cn, first["payment_url"])["state"] == "captured"
    decided = run(cn, RETURNED, token=first["token"])
    assert decided == {"disposition": "resell", "by_rule": True, "graded": [1, 0], "unit": decided["unit"]}

    # The zone's listing page shows the graded offer, marked and discounted by its grade.
    html = page(cn, f"/en/zone/us/p/{listing['reference']}/")
    assert "Grade: like new" in html
    shown, list_price = graded_offer(html, "like_new")
    # Less the grade's discount, then rounded by the zone's rule like every price it shows (below
    # CNY 1000: the nearest price ending in .9, a tie up).
    discounted = cents(list_price * (1 - LIKE_NEW_DISCOUNT), ROUND_HALF_UP)
    below = (discounted + Decimal("0.1")).to_integral_value(ROUND_FLOOR) - Decimal("0.1")
    assert shown == cents(below if discounted - below < Decimal("0.5") else below + 1)

    # Another cn shopper buys it under the CBEC rules: refused without a real name and ID number.
    item = [{"listing": listing["id"], "grade": "like_new", "quantity": 1}]
    refused_without_id(cn, item, shown, SECOND_SHOPPER)
    second = place_order(cn, SECOND_SHOPPER, item, shown)
    assert pay_with_wallet(cn, second["payment_url"])["state"] == "captured"
    assert order_status(cn, second["token"]) == "paid"
    sold = run(cn, LINE, token=second["token"])
    assert (sold["grade"], sold["fulfilment"], Decimal(sold["total"])) == ("like_new", "consignment", shown)

    # us hears of the decision, and of the resale as a forwarded line with its grade.
    manage(cn, "relay_outbox")
    received = run(us, TOLD)
    assert received["dispositions"] == [[decided["unit"], "like_new", "resell", True, "15.00"]]
    [graded_line] = received["graded_lines"]
    assert graded_line["reference"] == sold["reference"] and sold["reference"] in received["sold"]

    # The next settlement on both sides reconciles and carries the resale: proceeds less the fee.
    close_next_period(cn, us)
    cn_batch = run(cn, BATCH)
    us_batch = run(us, BATCH)
    assert cn_batch["status"] == us_batch["status"] == "reconciled", (cn_batch, us_batch)
    assert cn_batch["disputes"] == 0
    proceeds = Decimal(sold["total"]) - Decimal(sold["taxes"]) - Decimal(sold["shipping"])
    credit = proceeds - cents(proceeds * RESALE_FEE)
    lines = {(ref, currency): Decimal(amount) for ref, currency, amount in cn_batch["lines"]}
    assert lines[(sold["reference"], "CNY")] == -credit
    assert {(ref, currency): -Decimal(amount) for ref, currency, amount in us_batch["lines"]} == lines
    assert graded_line["export_amount"] == {"amount": str(credit), "currency": "CNY"}


def test_a_us_unit_repaired_on_cn_and_another_sent_back_tell_us_each_step_and_the_repair_is_charged_to_us(pair):
    cn, us = pair
    listing = run(cn, LISTING, sku="US-LAMP")
    order = place_order(cn, SHOPPERS["cn"], [{"listing": listing["id"], "quantity": 2}], 2 * Decimal(listing["price"]))
    assert pay_with_wallet(cn, order["payment_url"])["state"] == "captured"

    done = run(cn, REPAIR_AND_SEND_BACK, token=order["token"])
    assert (done["after_repair"], done["payer"]) == ("resell", "partner")  # repaired, then resold by the rules

    manage(cn, "relay_outbox")
    told = run(us, UNIT_STEPS, charge=f"{done['ledger']}:partner")
    assert told["units"][done["repaired"]] == ["resell", "repaired", done["ticket"], ""]
    assert told["units"][done["sent"]] == ["send_back", "sent_back", "", done["consignment"]]
    # The repair, under the partner's warranty, is owed by us (the cn provider's price, in CNY).
    assert {(currency, amount.lstrip("-")) for _account, currency, amount in told["repair_charge"]} == {
        ("CNY", "90.0000")
    }
