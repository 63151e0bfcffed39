"""Money owed to a merchant, across two real instances (issue 17): a `cn` merchant's goods are sold
on `us`; `us` forwards the order to `cn` through the partner API; both close the settlement period
and reconcile; only then is the `cn` merchant credited with the sale less its commission, and the
payout run's pain.001 file pays it exactly that. Every amount is worked out here from the export
price, the quantity, the partnership's commission and the merchant's rate, never read back from
the code under test. Web servers only; outboxes are relayed by the test."""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from .pairs import partnered_pair
from .test_two_instances import manage

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # two instances started on a busy machine

DATABASES = ("cb_e2e_mmoney_cn", "cb_e2e_mmoney_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}
PARTNER_COMMISSION = Decimal("0.08")  # scripts.instances.link's terms
MERCHANT_PERCENT = Decimal("10")  # the cn merchant's own rate, set below
EXPORT_PRICE, QUANTITY = Decimal("199.00"), 2  # CNY, the cn merchant's tea set
USD_CNY = Decimal("7.2")
LINE = "order:us:7001:1"
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"


SET_UP_CN = """
import datetime as dt, json
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import ExchangeRate
from payments.merchants import services as merchant_money

ExchangeRate.objects.create(base="USD", quote="CNY", rate=Decimal({rate!r}), as_of=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
merchant = services.create_merchant(name="Teahouse", slug="teahouse")
product = services.save_product(merchant=merchant, data=services.ProductInput(
    code="TEASET", category_id=561, original_language="zh-hans", country_of_origin="CN", hs_code="691110",
    weight_grams=900, texts={{"zh-hans": ("茶具套装", ""), "en": ("Tea set", "")}},
    variants=[services.VariantInput(sku="TEASET-1", price=Money({price!r}, "CNY"), stock=5)],
    brand="Teahouse", status="active"))
merchant_money.set_commission_rate(merchant=merchant, percent={percent!r})
merchant_money.set_bank_details(merchant=merchant, country="CN", account_holder="上海茶舍有限公司",
                                account_number="6222021001112223334", bank_name="中国工商银行")
print(json.dumps({{"product": str(product.reference)}}))
"""

SELL_ON_US = """
import datetime as dt, json, uuid
from decimal import Decimal
from djmoney.money import Money
from crossborder.models import ExchangeRate, Partner
from crossborder.services import send_to_partner
from payments.ledger.services import ledger

ExchangeRate.objects.create(base="USD", quote="CNY", rate=Decimal({rate!r}), as_of=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
partnership = Partner.objects.get(code="cn").live_partnership()
export = Money(Decimal({price!r}) * {quantity}, "CNY")
ledger.record_partner_goods_sale(reference={line!r}, partnership=partnership, shopper_amount=Money("79.00", "USD"),
                                 taxes=Money("6.20", "USD"), partner_amount=export,
                                 commission_rate=partnership.commission_rate)
send_to_partner(partnership, "order.forwarded", {{
    "order": str(uuid.uuid4()), "number": "7001", "placed_at": dt.datetime.now(dt.UTC).isoformat(),
    "lines": [{{"reference": {line!r}, "product": {product!r}, "sku": "TEASET-1", "title": "Tea set",
               "quantity": {quantity}, "fulfilment": "consignment",
               "export_amount": {{"amount": str(export.amount), "currency": "CNY"}}}}],
    "recipient": {{}}}})
print("ok")
"""

READ_CN = """
import datetime as dt, json
from catalog.models import Merchant
from payments.merchants import selectors, services
from payments.models import SettlementBatch
merchant = Merchant.objects.get(slug="teahouse")
now = dt.datetime.now(dt.UTC)
statement = selectors.statement(merchant=merchant, currency="CNY", start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=2))
batch = SettlementBatch.objects.first()
print(json.dumps({
    "batch": batch.status if batch else None,
    "owed": str(services.balances([merchant.pk]).get((merchant.pk, "CNY"), 0)),
    "lines": [[line.kind, line.event_reference, str(line.amount)] for line in statement.lines],
    "reconciliation": [[c.merchant.slug, c.currency, str(c.received), str(c.credited), str(c.difference)]
                       for c in (selectors.batch_reconciliation(batch) if batch else [])],
}))
"""


def cents(amount):
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def last_json(output):
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-mmoney", databases=DATABASES, env=ENV) as pair:
        yield pair


def test_a_cn_merchants_goods_sold_on_us_are_credited_once_reconciled_and_paid_exactly(pair, tmp_path):
    cn, us = pair
    product = last_json(
        manage(
            cn,
            "shell",
            "-c",
            SET_UP_CN.format(rate=str(USD_CNY), price=str(EXPORT_PRICE), percent=str(MERCHANT_PERCENT)),
        )
    )["product"]
    manage(
        us,
        "shell",
        "-c",
        SELL_ON_US.format(rate=str(USD_CNY), price=str(EXPORT_PRICE), quantity=QUANTITY, line=LINE, product=product),
    )
    manage(us, "relay_outbox")  # cn receives the forwarded order and posts the goods sold abroad

    before = last_json(manage(cn, "shell", "-c", READ_CN))
    assert before["lines"] == [] and Decimal(before["owed"]) == 0  # sold, but no settlement yet: nothing owed

    now = dt.datetime.now(dt.UTC)
    cutoff = dt.datetime.combine(now.date(), dt.time(23, 0), tzinfo=dt.UTC)
    if cutoff <= now:
        cutoff += dt.timedelta(days=1)
    after = (cutoff + dt.timedelta(minutes=5)).isoformat()
    for instance in (cn, us):
        manage(instance, "close_settlement", "--period-end", cutoff.isoformat(), "--now", after)
    manage(cn, "relay_outbox")
    manage(us, "relay_outbox")

    # Worked out here: what us owes cn for the line (the export price less us' commission), and
    # the merchant's share of it (less our commission at the merchant's rate).
    export = EXPORT_PRICE * QUANTITY
    received = export - cents(export * PARTNER_COMMISSION)
    commission = cents(received * MERCHANT_PERCENT / 100)
    due = received - commission
    assert (received, commission, due) == (Decimal("366.16"), Decimal("36.62"), Decimal("329.54"))

    state = last_json(manage(cn, "shell", "-c", READ_CN))
    assert state["batch"] == "reconciled"
    assert [(kind, ref, Decimal(amount)) for kind, ref, amount in state["lines"]] == [
        ("sale abroad", LINE, received),
        ("commission", LINE, -commission),
    ]
    assert Decimal(state["owed"]) == due
    assert [(slug, cur, Decimal(r), Decimal(c), Decimal(d)) for slug, cur, r, c, d in state["reconciliation"]] == [
        ("teahouse", "CNY", received, received, Decimal(0))
    ]

    # A sale abroad is held while the partner's shoppers may still send it back (30 days by default).
    held = manage(cn, "pay_merchants", "--key", "e2e-held")
    assert f"not paid teahouse {due} CNY: held" in held and "\npaid teahouse" not in held
    pain, csv = tmp_path / "run.pain001.xml", tmp_path / "run.csv"
    after_hold = (dt.datetime.now(dt.UTC) + dt.timedelta(days=31)).isoformat()
    out = manage(
        cn, "pay_merchants", "--key", "e2e-run", "--now", after_hold, "--pain001", str(pain), "--csv", str(csv)
    )
    assert f"\npaid teahouse {due} CNY" in f"\n{out}"
    document = ET.fromstring(pain.read_bytes())  # noqa: S314 - the file this test's run just wrote
    transfers = document.findall(f".//{PAIN}CdtTrfTxInf")
    assert len(transfers) == 1
    amount = transfers[0].find(f"{PAIN}Amt/{PAIN}InstdAmt")
    assert (Decimal(amount.text), amount.get("Ccy")) == (due, "CNY")
    assert transfers[0].find(f"{PAIN}CdtrAcct/{PAIN}Id/{PAIN}Othr/{PAIN}Id").text == "6222021001112223334"
    assert (
        csv.read_text(encoding="utf-8")
        .strip()
        .splitlines()[1]
        .endswith(f",teahouse,上海茶舍有限公司,•••• 3334,CNY,{due}")
    )

    # A second run pays nothing twice, and the merchant is owed nothing more.
    again = manage(cn, "pay_merchants", "--key", "e2e-run-2", "--now", after_hold)
    assert "\npaid teahouse" not in f"\n{again}"
    assert Decimal(last_json(manage(cn, "shell", "-c", READ_CN))["owed"]) == 0
