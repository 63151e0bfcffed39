"""Settlement between two real instances: each platform records its side of the same business
events (partner goods sold in each direction, a warehouse fee), both close the period at the agreed
cut-off, exchange statements through the partner API, and reconcile; the net agrees with a
calculation made here, and the side that owes gets one pain.001 payout instruction.

The events are posted with the ledger's services (what checkout and order forwarding call), so this
test proves the settlement path on its own. Web servers only; outboxes are relayed by the test."""

import datetime as dt
import json
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from .pairs import partnered_pair
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_settlement_cn", "crossborder_e2e_settlement_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}
COMMISSION = Decimal("0.08")  # scripts.instances.link's terms
USD_CNY = Decimal("7.2")

# Who sold what: (event reference, importer, export price and currency, shopper's price and taxes).
SALES = [
    ("order:cn:CN1001:1", "cn", Decimal("40.00"), "USD", Decimal("339.00"), Decimal("27.30")),
    ("order:cn:CN1002:1", "cn", Decimal("25.50"), "USD", Decimal("219.00"), Decimal("17.40")),
    ("order:us:US5001:1", "us", Decimal("199.00"), "CNY", Decimal("34.99"), Decimal("0.00")),
]
FEE = ("fee:cn:storage:2026-12", Decimal("12.30"))  # cn's warehouse charges us

POST = """
import datetime as dt, json
from decimal import Decimal
from djmoney.money import Money
from crossborder.models import Partner
from crossborder.models import ExchangeRate
from payments.ledger.services import ledger

me = {me!r}
partnership = Partner.objects.get(code={partner!r}).live_partnership()
ExchangeRate.objects.create(base="USD", quote="CNY", rate=Decimal({rate!r}), as_of=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
home = {{"cn": "CNY", "us": "USD"}}[me]
for reference, importer, price, currency, shopper, taxes in json.loads({sales!r}):
    if importer == me:
        ledger.record_partner_goods_sale(
            reference=reference, partnership=partnership, shopper_amount=Money(shopper, home),
            taxes=Money(taxes, home), partner_amount=Money(price, currency),
            commission_rate=partnership.commission_rate)
    else:
        ledger.record_goods_sold_abroad(
            reference=reference, partnership=partnership, partner_amount=Money(price, currency),
            commission_rate=partnership.commission_rate)
reference, fee = json.loads({fee!r})
ledger.record_partner_charge(reference=reference, partnership=partnership,
                             amount=Money(fee if me == "cn" else "-" + fee, "USD"), kind="warehouse_fee")
print("ok")
"""

BATCH = """
import json
from payments.models import PayoutInstruction, SettlementBatch
batch = SettlementBatch.objects.get()
payout = PayoutInstruction.objects.filter(batch=batch).first()
print(json.dumps({
    "status": batch.status, "net": str(batch.net_amount), "partner_net": str(batch.partner_net_amount),
    "disputes": batch.disputes.count(), "lines": batch.lines.count(), "totals": batch.currency_totals,
    "payout": None if payout is None else {"amount": str(payout.amount), "currency": payout.currency,
                                           "pain001": payout.pain001},
}))
"""


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-settlement", databases=DATABASES, env=ENV) as pair:
        yield pair


def cents(amount):
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def expected_cn_net():
    """What us owes cn (positive) or cn owes us (negative), in USD, worked out independently."""
    net = Decimal(0)
    for _ref, importer, price, currency, _shopper, _taxes in SALES:
        due = price - cents(price * COMMISSION)  # the exporter's due, less the importer's commission
        if currency == "USD":
            net += -due if importer == "cn" else due
        else:
            cny = due if importer == "us" else -due
            net += cents(cny * (Decimal(1) / USD_CNY).quantize(Decimal("0.00000001")))
    return net + FEE[1]


def test_both_platforms_settle_the_period_and_their_statements_reconcile(pair):
    cn, us = pair
    sales = json.dumps([[r, i, str(p), c, str(s), str(t)] for r, i, p, c, s, t in SALES])
    fee = json.dumps([FEE[0], str(FEE[1])])
    for me, partner, instance in (("cn", "us", cn), ("us", "cn", us)):
        script = POST.format(me=me, partner=partner, rate=str(USD_CNY), sales=sales, fee=fee)
        manage(instance, "shell", "-c", script)

    # Both close the same period: the next agreed cut-off (23:00 UTC), acting just after it.
    now = dt.datetime.now(dt.UTC)
    cutoff = dt.datetime.combine(now.date(), dt.time(23, 0), tzinfo=dt.UTC)
    if cutoff <= now:
        cutoff += dt.timedelta(days=1)
    after = (cutoff + dt.timedelta(minutes=5)).isoformat()
    closed = {}
    for instance in (cn, us):
        closed[instance.spec.code] = manage(
            instance, "close_settlement", "--period-end", cutoff.isoformat(), "--now", after
        )
        assert " open " in closed[instance.spec.code], closed
    # Closing the same period again (a beat that fires twice) finds the same batch.
    again = manage(cn, "close_settlement", "--period-end", cutoff.isoformat(), "--now", after)
    assert again.split()[0] == closed["cn"].split()[0]

    manage(cn, "relay_outbox")
    manage(us, "relay_outbox")
    cn_batch = json.loads(manage(cn, "shell", "-c", BATCH).strip().splitlines()[-1])
    us_batch = json.loads(manage(us, "shell", "-c", BATCH).strip().splitlines()[-1])

    assert cn_batch["status"] == us_batch["status"] == "reconciled", (cn_batch, us_batch)
    assert cn_batch["disputes"] == us_batch["disputes"] == 0
    assert cn_batch["lines"] >= 4 and us_batch["lines"] >= 4
    expected = expected_cn_net()
    assert Decimal(cn_batch["net"]) == expected
    assert Decimal(us_batch["net"]) == -expected
    assert Decimal(cn_batch["partner_net"]) == -expected
    debtor, creditor = (cn_batch, us_batch) if expected < 0 else (us_batch, cn_batch)
    assert creditor["payout"] is None
    assert Decimal(debtor["payout"]["amount"]) == abs(expected) and debtor["payout"]["currency"] == "USD"
    assert f'<InstdAmt Ccy="USD">{abs(expected)}</InstdAmt>' in debtor["payout"]["pain001"]
