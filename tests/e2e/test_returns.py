"""A return across two real instances (issue 15): a `cn` shopper buys two `us` lanterns, pays with
the QR wallet and receives them; then returns one from the storefront's return form. cn receives it
at its home warehouse, grades it "like new" and refunds the shopper in CNY through the wallet
(what was paid for that unit: half of the line's total, split to the fen by largest remainder);
us is told each step (return.notice: opened, received, graded, refunded) and records it; the
partner's charge-back reaches both ledgers. Both close the same settlement period: the statements
agree, and cn's shows the charge-back as us's credit for one of the two units, computed here.

Web servers only; outboxes are relayed by the test. PostgreSQL when CROSSBORDER_TEST_POSTGRES is set,
else SQLite files."""

import json
import re
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
import requests

from . import test_purchase_and_settlement as purchase
from .pairs import close_the_same_period, partnered_pair
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_returns_cn", "crossborder_e2e_returns_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}

DELIVER = """
from payments.models import Order
from payments.shop.services import orders
order = Order.objects.get(token=token)
for status in ("shipped", "delivered"):
    orders.change_order_status(order=order, status=status)
print("ok")
"""

RECEIVE_AND_GRADE = """
import json
from aftersales.models import ReturnRequest, ReturnUnit
from aftersales.services import returns
found = ReturnRequest.objects.get(token=token)
returns.receive_return(request=found, counts={line.pk: line.quantity for line in found.lines.all()})
returns.grade_units(request=found, grades={u.pk: ("like_new", "box opened, unused") for u in ReturnUnit.objects.filter(line__request=found)})
found.refresh_from_db()
print(json.dumps({"status": found.status, "owners": [u.partnership.partner.code for u in ReturnUnit.objects.filter(line__request=found)]}))
"""

REFUND = """
import json
from aftersales.models import ReturnRequest
from aftersales.services import returns
from payments.models import LedgerTransaction, Payment
found = returns.refund_return(request=ReturnRequest.objects.get(token=token))
line = found.lines.get()
chargeback = LedgerTransaction.objects.get(reference=returns.chargeback_reference(line))
payment = Payment.objects.get(checkout_reference=str(found.order.checkout.reference))
print(json.dumps({
    "status": found.status, "refund": [str(line.refund.amount), str(line.refund.currency)],
    "payment": [payment.state, str(payment.refunded_amount)],
    "chargeback": [[p.account.code, p.currency, str(p.amount)] for p in chargeback.postings.all()],
    "reference": chargeback.reference,
}))
"""

TOLD = """
import json
from aftersales.models import PartnerReturnNotice
from payments.models import LedgerTransaction
print(json.dumps({
    "steps": [[n.step, n.reason, n.lines] for n in PartnerReturnNotice.objects.order_by("occurred_at", "id")],
    "charges": sorted(LedgerTransaction.objects.filter(kind="return_chargeback").values_list("reference", flat=True)),
}))
"""

BATCH = """
import json
from payments.models import SettlementBatch
batch = SettlementBatch.objects.get()
print(json.dumps({"status": batch.status, "net": str(batch.net_amount), "disputes": batch.disputes.count(),
                  "lines": sorted([l.event_reference, l.currency, str(l.amount)] for l in batch.lines.all())}))
"""


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-returns", databases=DATABASES, env=ENV) as pair:
        yield pair


def cents(amount, places="0.01"):
    return amount.quantize(Decimal(places), rounding=ROUND_HALF_EVEN)


def first_of_two(amount):
    """The first unit's share when an amount is split over two units to the cent: the odd cent, if
    any, goes to the first (largest remainder, ties to the earlier part)."""
    hundredths = int(amount * 100)
    return Decimal(hundredths - hundredths // 2).scaleb(-2)


def open_return_in_the_storefront(cn, order_token, units, reason):
    browser = requests.Session()
    form_url = f"{cn.base_url}/en/returns/order/{order_token}/"
    form = browser.get(form_url, timeout=purchase.TIMEOUT)
    assert form.status_code == 200 and "data-return-form" in form.text, form.text[-2000:]
    line_id = re.search(r'name="quantity-(\d+)"', form.text).group(1)
    sent = browser.post(
        form_url,
        data={"csrfmiddlewaretoken": purchase.csrf_token(form.text), f"quantity-{line_id}": str(units), "reason": reason,
              "kind": "return", "details": "One lantern is enough."},
        headers={"Referer": form_url},
        timeout=purchase.TIMEOUT,
    )  # fmt: skip
    assert sent.status_code == 200 and "/returns/" in sent.url, sent.text[-2000:]
    return sent.url.rstrip("/").rsplit("/", 1)[-1], sent


def test_a_cn_shopper_returns_a_us_product_refunded_in_cny_and_charged_back_to_us_in_settlement(pair):
    cn, us = pair
    manage(cn, "ensure_warehouse", "--code", "sha-1", "--name", "Shanghai returns desk", "--country", "CN",
           "--operator", "cn", "--address", "1 Bonded Road, Shanghai")  # fmt: skip
    goods = json.dumps({code: [*row[:4], str(row[4])] for code, row in purchase.GOODS["us"].items()})
    manage(us, "shell", "-c", purchase.OFFER.format(me="us", partner="cn", language="en", goods=goods, currency="USD"))
    for instance in (cn, us):
        manage(instance, "shell", "-c", purchase.RATE.format(rate=str(purchase.USD_CNY)))
    assert "succeeded" in manage(cn, "sync_partner_catalog", "--partner", "us")
    manage(cn, "reprice_listings", "--partner", "us")
    lamp = purchase.last_json(manage(cn, "shell", "-c", purchase.LISTINGS))["US-LAMP"]

    # Bought, paid, forwarded, delivered.
    total = Decimal(lamp["price"][0]) * 2
    order = purchase.place_order(cn, purchase.SHOPPERS["cn"], [{"listing": lamp["id"], "quantity": 2}], total)
    assert purchase.pay_with_wallet(cn, order["payment_url"])["state"] == "captured"
    manage(cn, "relay_outbox")
    manage(cn, "shell", "-c", f"token = {order['token']!r}\n" + DELIVER)
    assert purchase.order_status(cn, order["token"]) == "delivered"

    # The shopper returns one lantern from the storefront: no reason, approved and labelled at once.
    token, page = open_return_in_the_storefront(cn, order["token"], 1, "no_reason")
    assert "data-return-label" in page.text and "1 Bonded Road, Shanghai" in page.text

    graded = purchase.last_json(manage(cn, "shell", "-c", f"token = {token!r}\n" + RECEIVE_AND_GRADE))
    assert graded == {"status": "inspected", "owners": ["us"]}
    refunded = purchase.last_json(manage(cn, "shell", "-c", f"token = {token!r}\n" + REFUND))

    # The shopper gets back what was paid for one of the two units, in CNY, through the wallet.
    paid_for_one = first_of_two(total)
    assert refunded["status"] == "refunded"
    assert refunded["refund"] == [str(paid_for_one), "CNY"]
    assert refunded["payment"][0] == "partially_refunded" and Decimal(refunded["payment"][1]) == paid_for_one
    # us gives back its credit for that unit: export price less cn's commission, per unit.
    price = purchase.GOODS["us"]["LAMP"][4]
    credit = price * 2 - cents(price * 2 * purchase.COMMISSION)
    chargeback = first_of_two(credit)
    assert [("partner_balance", "USD", chargeback)] == [
        (code, currency, Decimal(amount))
        for code, currency, amount in refunded["chargeback"]
        if code == "partner_balance"
    ]

    # us was told each step and posted the charge-back's mirror image.
    manage(cn, "relay_outbox")
    told = purchase.last_json(manage(us, "shell", "-c", TOLD))
    assert [step for step, _reason, _lines in told["steps"]] == ["opened", "received", "graded", "refunded"]
    assert {reason for _step, reason, _lines in told["steps"]} == {"no_reason"}
    last_lines = told["steps"][-1][2]
    assert last_lines[0]["sku"] == "US-LAMP" and last_lines[0]["quantity"] == 1
    assert last_lines[0]["grades"] == ["like_new"] and last_lines[0]["refund"]["currency"] == "CNY"
    assert told["charges"] == [refunded["reference"]]

    # Both close the same period and reconcile; cn's statement shows the charge-back.
    close_the_same_period(cn, us)
    cn_batch = purchase.last_json(manage(cn, "shell", "-c", BATCH))
    us_batch = purchase.last_json(manage(us, "shell", "-c", BATCH))
    assert cn_batch["status"] == us_batch["status"] == "reconciled", (cn_batch, us_batch)
    assert cn_batch["disputes"] == us_batch["disputes"] == 0
    line = f"order:cn:{order['number']}:1"
    statement = {(ref, currency): Decimal(amount) for ref, currency, amount in cn_batch["lines"]}
    assert statement[(refunded["reference"], "USD")] == chargeback
    assert statement[(line, "USD")] == -credit
    assert Decimal(cn_batch["net"]) == chargeback - credit  # cn owes us for the lantern it kept
