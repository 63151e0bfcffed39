"""A paid order cancelled across two real instances (issue 13, item 9): a `cn` shopper buys `us`
goods, pays with the QR wallet, and the order is forwarded; then the shopper cancels it through the
shop API. cn refunds the shopper at the provider once (a second cancel refunds nothing more),
reverses its books and tells us through the outbox; us reverses its goods sold abroad. Both close
the same settlement period and reconcile it: the cancelled lines net to nothing on both statements,
so there is nothing to pay and nothing in dispute.

Web servers only; outboxes are relayed by the test. PostgreSQL when CROSSBORDER_TEST_POSTGRES is set,
else SQLite files."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import requests

from .pairs import partnered_pair
from .test_purchase_and_settlement import (
    CURRENCY,
    GOODS,
    LISTINGS,
    OFFER,
    RATE,
    SHOPPERS,
    TIMEOUT,
    USD_CNY,
    last_json,
    order_status,
    pay_with_wallet,
    place_order,
)
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_cancel_cn", "crossborder_e2e_cancel_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}

BOOKS = """
import json
from collections import defaultdict
from decimal import Decimal
from payments.models import ForwardedOrder, LedgerTransaction, Payment, Posting, ProviderCall
balances = defaultdict(Decimal)
for code, currency, amount in Posting.objects.values_list("account__code", "currency", "amount"):
    balances[code + " " + currency] += amount
print(json.dumps({
    "forwarded": [f.status for f in ForwardedOrder.objects.all()],
    "reversed": sorted(LedgerTransaction.objects.filter(reverses__isnull=False).values_list("reference", flat=True)),
    "balances": {key: str(value) for key, value in balances.items() if value != 0},
    "payments": [[p.state, str(p.refunded_amount)] for p in Payment.objects.all()],
    "refunds": ProviderCall.objects.filter(operation="refund").count(),
}))
"""

BATCH = """
import json
from payments.models import PayoutInstruction, SettlementBatch
print(json.dumps([
    {"status": b.status, "net": str(b.net_amount), "disputes": b.disputes.count(),
     "payouts": PayoutInstruction.objects.filter(batch=b).count()}
    for b in SettlementBatch.objects.all()
]))
"""


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-cancel", databases=DATABASES, env=ENV) as pair:
        yield pair


def books(instance):
    return last_json(manage(instance, "shell", "-c", BOOKS))


def test_a_paid_order_cancelled_by_the_shopper_is_refunded_once_and_reversed_on_both_sides(pair):
    cn, us = pair
    goods = json.dumps({code: [*row[:4], str(row[4])] for code, row in GOODS["us"].items()})
    manage(us, "shell", "-c", OFFER.format(me="us", partner="cn", language="en", goods=goods, currency="USD"))
    manage(cn, "shell", "-c", RATE.format(rate=str(USD_CNY)))
    out = manage(cn, "sync_partner_catalog", "--partner", "us")
    assert "succeeded" in out, out
    manage(cn, "reprice_listings", "--partner", "us")
    lamp = last_json(manage(cn, "shell", "-c", LISTINGS))["US-LAMP"]
    assert lamp["orderable"], lamp

    total = Decimal(lamp["price"][0]) * 2
    order = place_order(cn, SHOPPERS["cn"], [{"listing": lamp["id"], "quantity": 2}], total)
    assert pay_with_wallet(cn, order["payment_url"])["state"] == "captured"
    assert order_status(cn, order["token"]) == "paid"
    manage(cn, "relay_outbox")
    assert books(us)["forwarded"] == ["paid"]

    url = f"{cn.base_url}/api/shop/v1/orders/{order['token']}/cancel/"
    first = requests.post(url, json={"reason": "ordered by mistake"}, timeout=TIMEOUT)
    again = requests.post(url, json={}, timeout=TIMEOUT)

    assert first.status_code == 200, first.text
    assert first.json()["status"] == "cancelled"
    assert first.json()["refund"] == {
        "status": "refunded",
        "amount": {"amount": str(total), "currency": CURRENCY["cn"]},
    }
    assert again.status_code == 200 and again.json()["refund"] == first.json()["refund"]
    importer = books(cn)
    assert [(state, Decimal(amount)) for state, amount in importer["payments"]] == [("refunded", total)]
    assert importer["refunds"] == 1
    assert importer["balances"] == {}, importer  # every account of cn back to zero
    line = f"order:cn:{order['number']}:1"
    assert f"reversal:{line}" in importer["reversed"]

    manage(cn, "relay_outbox")
    exporter = books(us)
    assert exporter["forwarded"] == ["cancelled"]
    assert exporter["reversed"] == [f"reversal:{line}"]
    assert exporter["balances"] == {}, exporter

    # Both close the same period: the cancelled line nets to nothing on both statements.
    now = dt.datetime.now(dt.UTC)
    cutoff = dt.datetime.combine(now.date(), dt.time(23, 0), tzinfo=dt.UTC)
    if cutoff <= now:
        cutoff += dt.timedelta(days=1)
    after = (cutoff + dt.timedelta(minutes=5)).isoformat()
    for instance in (cn, us):
        manage(instance, "close_settlement", "--period-end", cutoff.isoformat(), "--now", after)
    manage(cn, "relay_outbox")
    manage(us, "relay_outbox")
    for instance in (cn, us):
        batches = last_json(manage(instance, "shell", "-c", BATCH))
        assert [(b["status"], Decimal(b["net"]), b["disputes"], b["payouts"]) for b in batches] == [
            ("reconciled", Decimal(0), 0, 0)
        ], batches
