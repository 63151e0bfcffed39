"""A purchase each way between two real instances, then settlement: a `cn` shopper buys `us` goods
and a `us` shopper buys `cn` goods through each shop's API, and pays with the platform's sandbox
local method over HTTP (the QR wallet's approval on cn, the card's 3-D Secure-style challenge on
us); the provider's signed webhook marks the order paid, which forwards it to the exporter through
the outbox; both platforms close the same settlement period, exchange statements and reconcile;
the net agrees with a calculation made here from the export prices, the commission and the
cut-off rate, and the side that owes gets one pain.001 payout instruction for exactly it.

Web servers only; outboxes are relayed by the test (`relay_outbox`), so the order of events is the
test's. PostgreSQL when CROSSBORDER_TEST_POSTGRES is set, else SQLite files."""

import datetime as dt
import html
import json
import re
import time
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from urllib.parse import urljoin

import pytest
import requests

from .pairs import partnered_pair
from .test_two_instances import manage

pytestmark = pytest.mark.e2e

DATABASES = ("crossborder_e2e_purchase_cn", "crossborder_e2e_purchase_us")
ENV = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}
COMMISSION = Decimal("0.08")  # scripts.instances.link's terms
USD_CNY = Decimal("7.2")
TIMEOUT = 30  # seconds for one HTTP request, or for a payment to be decided

# What each platform offers the other: code -> (title, Chinese title, category, HS code, export price).
GOODS = {
    "us": {
        "LAMP": ("Camp lantern", "露营灯", 1022, "940540", Decimal("20.00")),
        "MUG": ("Enamel mug", "搪瓷杯", 662, "732391", Decimal("24.50")),
    },
    "cn": {
        "TEASET": ("Tea set", "茶具套装", 662, "691110", Decimal("199.00")),
        "CADDY": ("Tea caddy", "茶叶罐", 662, "732393", Decimal("35.50")),
    },
}
CURRENCY = {"cn": "CNY", "us": "USD"}
# Who buys what: the importer's shopper orders these quantities of the exporter's goods.
BASKETS = {"cn": {"LAMP": 2, "MUG": 1}, "us": {"TEASET": 1, "CADDY": 3}}

SHOPPERS = {
    "cn": {
        "recipient": {
            "name": "李伟",
            "address_lines": ["世纪大道 88 号"],
            "country_area": "上海市",
            "city": "上海",
            "postcode": "200120",
            "country": "CN",
        },
        "email": "li.wei@example.com",
        "phone": "+86 138 0013 8000",
        "buyer_name": "李伟",
        "buyer_id_number": "11010519491231002X",  # China's rules apply to partner goods on cn
    },
    "us": {
        "recipient": {
            "name": "Sam Carter",
            "address_lines": ["500 Pine Street"],
            "country_area": "WA",
            "city": "Seattle",
            "postcode": "98101",
            "country": "US",
        },
        "email": "sam.carter@example.com",
        "phone": "+1 206 555 0100",
    },
}

# The exporter's goods, offered to the partner for direct (cross-border) sale.
OFFER = """
import json
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import Partner

me, partner, language = {me!r}, {partner!r}, {language!r}
partnership = Partner.objects.get(code=partner).live_partnership()
merchant = services.create_merchant(name=f"Exporter of {{me}}", slug=f"exporter-{{me}}")
for code, (title, chinese, category, hs_code, price) in json.loads({goods!r}).items():
    product = services.save_product(merchant=merchant, data=services.ProductInput(
        code=code, category_id=category, original_language=language, country_of_origin=me.upper(),
        hs_code=hs_code, weight_grams=500, texts={{"en": (title, ""), "zh-hans": (chinese, "")}},
        variants=[services.VariantInput(sku=f"{{me.upper()}}-{{code}}", price=Money(Decimal(price), {currency!r}),
                                        stock=100)],
    ))
    services.set_export_offer(merchant=merchant, product=product, partnership=partnership, is_offered=True,
                              export_price=Money(Decimal(price), {currency!r}), direct_stock=40)
print("ok")
"""

# The same USD/CNY rate on both sides, stamped well before anything is priced or settled.
RATE = """
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from crossborder.models import ExchangeRate
ExchangeRate.objects.create(base="USD", quote="CNY", rate=Decimal({rate!r}),
                            as_of=timezone.now() - dt.timedelta(days=30))
print("ok")
"""

LISTINGS = """
import json
from partner_zone.models import PartnerListing
print(json.dumps({
    l.variants[0]["sku"]: {"id": l.pk, "price": None if l.price is None else [str(l.price.amount), str(l.price.currency)],
            "export_price": [str(l.export_price.amount), str(l.export_price.currency)],
            "duties_included": l.price_breakdown.get("duties_included"), "problem": l.pricing_problem,
            "orderable": l.is_orderable}
    for l in PartnerListing.objects.select_related("partnership")
}))
"""

ORDER = """
# `token` is set by the line the test puts before this script.
import json
from crossborder.models import OutboxMessage
from payments.models import Order, Payment, PaymentTransition, SandboxWebhook, WebhookReceipt
order = Order.objects.get(token=token)
payments = Payment.objects.filter(checkout_reference=str(order.checkout.reference))
print(json.dumps({
    "status": order.status, "total": [str(order.total.amount), str(order.total.currency)],
    "lines": [{"reference": l.reference, "sku": l.sku, "quantity": l.quantity, "fulfilment": l.fulfilment,
               "total": str(l.total.amount),
               "export_amount": [str(l.export_amount.amount), str(l.export_amount.currency)]}
              for l in order.lines.order_by("line_number")],
    "payments": [[p.provider, p.state, str(p.captured_amount)] for p in payments],
    "webhooks": [[w.attempts, w.delivered_at is not None] for w in SandboxWebhook.objects.all()],
    "received": sorted(WebhookReceipt.objects.values_list("event_type", flat=True)),
    "authorised_by": list(PaymentTransition.objects.filter(payment__in=payments, to_state="authorised")
                          .values_list("reason", flat=True)),
    "forwarded": OutboxMessage.objects.filter(message_type="order.forwarded").count(),
}))
"""

SOLD_ABROAD = """
import json
from payments.models import ForwardedOrder, LedgerTransaction
print(json.dumps({
    "orders": [[str(f.reference), f.status, len(f.lines)] for f in ForwardedOrder.objects.all()],
    "sold": sorted(LedgerTransaction.objects.filter(kind="goods_sold_abroad").values_list("reference", flat=True)),
}))
"""

BATCH = """
import json
from payments.models import PayoutInstruction, SettlementBatch
batch = SettlementBatch.objects.get()
payout = PayoutInstruction.objects.filter(batch=batch).first()
print(json.dumps({
    "status": batch.status, "net": str(batch.net_amount), "partner_net": str(batch.partner_net_amount),
    "disputes": batch.disputes.count(), "totals": batch.currency_totals,
    "lines": sorted([l.event_reference, l.currency, str(l.amount)] for l in batch.lines.all()),
    "payouts": PayoutInstruction.objects.count(),
    "payout": None if payout is None else {"amount": str(payout.amount), "currency": payout.currency,
                                           "pain001": payout.pain001},
}))
"""


def last_json(output):
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def pair(request, tmp_path_factory):
    with partnered_pair(request, tmp_path_factory, name="e2e-purchase", databases=DATABASES, env=ENV) as pair:
        yield pair


# --- the shopper's side, over HTTP --------------------------------------------------------------


def csrf_token(page):
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page[-2000:]
    return found.group(1)


def place_order(instance, shopper, items, expected_total):
    """POST the order to the shop API; its answer (token, total, payment_url...)."""
    body = {"items": items, "expected_total": str(expected_total), **shopper}
    response = requests.post(instance.base_url + "/api/shop/v1/orders/", json=body, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    return response.json()


def approve(browser, page, url):
    """Press the approve button of a sandbox provider's page; the page the shopper lands on."""
    response = browser.post(
        url, data={"decision": "approve", "csrfmiddlewaretoken": csrf_token(page)}, headers={"Referer": url}
    )
    assert response.status_code == 200, response.text[-2000:]
    return response


def pay_with_wallet(instance, payment_url):
    """cn's QR wallet: open the payment page, follow its wallet link (what scanning the code opens),
    approve there, and wait for the page's status poll to say the payment is decided."""
    browser = requests.Session()
    page = browser.get(urljoin(instance.base_url, payment_url), timeout=TIMEOUT)
    assert page.status_code == 200 and "data-status-url" in page.text, page.text[-2000:]
    wallet_url = html.unescape(re.search(r'href="([^"]+)" data-wallet-app', page.text).group(1))
    status_url = html.unescape(re.search(r'data-status-url="([^"]+)"', page.text).group(1))
    wallet = browser.get(wallet_url, timeout=TIMEOUT)
    assert wallet.status_code == 200, wallet.text[-2000:]
    approved = approve(browser, wallet.text, wallet_url)
    assert 'data-status="' in approved.text and 'name="decision"' not in approved.text
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        status = browser.get(urljoin(instance.base_url, status_url), timeout=TIMEOUT).json()
        if status["done"]:
            return status
        time.sleep(0.5)
    raise AssertionError(f"the wallet payment was not decided within {TIMEOUT}s: {status}")


def pay_with_card(instance, payment_url):
    """us's card: the payment page sends the shopper to the issuer's challenge; confirming there
    sends the shopper back to the shop's order page."""
    browser = requests.Session()
    challenge = browser.get(urljoin(instance.base_url, payment_url), timeout=TIMEOUT)
    assert challenge.status_code == 200 and "/pay/sandbox/card/" in challenge.url, challenge.text[-2000:]
    back = approve(browser, challenge.text, challenge.url)
    assert "/orders/" in back.url, back.url
    return back


def order_status(instance, token):
    response = requests.get(f"{instance.base_url}/api/shop/v1/orders/{token}/", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["status"]


def close_next_period(cn, us):
    """Both close the same period: the next agreed cut-off (23:00 UTC), acting just after it; then
    each relays its statement to the other."""
    now = dt.datetime.now(dt.UTC)
    cutoff = dt.datetime.combine(now.date(), dt.time(23, 0), tzinfo=dt.UTC)
    if cutoff <= now:
        cutoff += dt.timedelta(days=1)
    after = (cutoff + dt.timedelta(minutes=5)).isoformat()
    for instance in (cn, us):
        closed = manage(instance, "close_settlement", "--period-end", cutoff.isoformat(), "--now", after)
        assert " open " in closed, closed
    manage(cn, "relay_outbox")
    manage(us, "relay_outbox")


# --- the calculation made here --------------------------------------------------------------------


def cents(amount):
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def exporter_due(price, quantity):
    """What the importer owes the exporter for a line: the export price, less its commission
    (rounded half-even to the cent per line, as the ledger does), in the export currency."""
    amount = price * quantity
    return amount - cents(amount * COMMISSION)


def expected_cn_net():
    """What us owes cn (positive) or cn owes us (negative), in USD: cn owes us for the us goods its
    shopper bought; us owes cn for the cn goods, in CNY, converted once at the cut-off rate."""
    cn_owes = sum(exporter_due(GOODS["us"][code][4], n) for code, n in BASKETS["cn"].items())
    us_owes_cny = sum(exporter_due(GOODS["cn"][code][4], n) for code, n in BASKETS["us"].items())
    cny_usd = (Decimal(1) / USD_CNY).quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)
    return cents(us_owes_cny * cny_usd) - cn_owes


def test_the_independent_calculation_works_out_by_hand():
    # cn owes 40.00 - 3.20 + 24.50 - 1.96 = 59.34 USD; us owes 199.00 - 15.92 + 106.50 - 8.52 =
    # 281.06 CNY, at 1 / 7.2 = 0.13888889 that is 39.0361... = 39.04 USD: cn owes us 20.30 USD.
    assert expected_cn_net() == Decimal("-20.30")


def test_a_purchase_each_way_is_paid_forwarded_settled_and_reconciled(pair):
    cn, us = pair
    instances = {"cn": cn, "us": us}
    # cn's home warehouse, where its own goods are counted (partner goods here ship direct).
    manage(cn, "ensure_warehouse", "--code", "sha-1", "--name", "Shanghai bonded warehouse", "--country", "CN",
           "--operator", "cn", "--address", "1 Bonded Road, Shanghai")  # fmt: skip

    # Each platform offers its goods to the other; both enter the same rate; each mirrors the other's.
    for me, partner in (("us", "cn"), ("cn", "us")):
        goods = json.dumps({code: [*row[:4], str(row[4])] for code, row in GOODS[me].items()})
        language = "en" if me == "us" else "zh-hans"
        script = OFFER.format(me=me, partner=partner, language=language, goods=goods, currency=CURRENCY[me])
        manage(instances[me], "shell", "-c", script)
        manage(instances[me], "shell", "-c", RATE.format(rate=str(USD_CNY)))
    listings = {}
    for me, partner in (("cn", "us"), ("us", "cn")):
        out = manage(instances[me], "sync_partner_catalog", "--partner", partner)
        assert "succeeded" in out and "2 changed" in out and "0 rejected" in out, out
        manage(instances[me], "reprice_listings", "--partner", partner)
        listings[me] = last_json(manage(instances[me], "shell", "-c", LISTINGS))
        assert len(listings[me]) == 2, listings[me]
        for listing in listings[me].values():
            assert listing["orderable"] and listing["price"] and listing["price"][1] == CURRENCY[me], listing

    # Each shopper orders the partner's goods for the total the quote shows: the listing's local
    # price, freight and taxes included (the agreement's default is delivered duty paid).
    orders = {}
    for me, partner in (("cn", "us"), ("us", "cn")):
        items, total = [], Decimal(0)
        for code, quantity in BASKETS[me].items():
            listing = listings[me][f"{partner.upper()}-{code}"]
            assert listing["duties_included"] is True, listing
            items.append({"listing": listing["id"], "quantity": quantity})
            total += Decimal(listing["price"][0]) * quantity
        answer = place_order(instances[me], SHOPPERS[me], items, total)
        assert answer["status"] == "awaiting_payment" and answer["payment_url"], answer
        assert answer["total"] == {"amount": str(total), "currency": CURRENCY[me]}
        orders[me] = answer

    # Each pays with the platform's local method; the provider's webhook marks the order paid.
    status = pay_with_wallet(cn, orders["cn"]["payment_url"])
    assert status["state"] == "captured", status
    pay_with_card(us, orders["us"]["payment_url"])
    sold = {}
    for me in ("cn", "us"):
        assert order_status(instances[me], orders[me]["token"]) == "paid"
        state = last_json(manage(instances[me], "shell", "-c", f"token = {orders[me]['token']!r}\n" + ORDER))
        assert [p[:2] for p in state["payments"]] == [
            ["sandbox_wallet" if me == "cn" else "sandbox_card", "captured"]
        ], state
        # The provider's signed webhooks reached the shop over HTTP, first time; the authorisation's
        # webhook is what placed the order (the capture followed it).
        assert state["webhooks"] and all(attempts == 1 and ok for attempts, ok in state["webhooks"]), state
        assert state["received"] == ["payment.authorised", "payment.captured"], state
        assert state["authorised_by"] == ["webhook payment.authorised"], state
        assert state["forwarded"] == 1, state
        assert {line["fulfilment"] for line in state["lines"]} == {"direct"}
        sold[me] = state["lines"]

    # The outboxes carry the forwarded orders; each exporter records its goods sold abroad.
    manage(cn, "relay_outbox")
    manage(us, "relay_outbox")
    for importer, exporter in (("cn", "us"), ("us", "cn")):
        abroad = last_json(manage(instances[exporter], "shell", "-c", SOLD_ABROAD))
        assert abroad["sold"] == sorted(line["reference"] for line in sold[importer]), abroad
        assert [row[2] for row in abroad["orders"]] == [len(BASKETS[importer])]

    close_next_period(cn, us)
    cn_batch = last_json(manage(cn, "shell", "-c", BATCH))
    us_batch = last_json(manage(us, "shell", "-c", BATCH))

    assert cn_batch["status"] == us_batch["status"] == "reconciled", (cn_batch, us_batch)
    assert cn_batch["disputes"] == us_batch["disputes"] == 0
    # Each side's statement: one line per order line of either direction, as the other side's mirror.
    cn_lines = {(ref, currency): Decimal(amount) for ref, currency, amount in cn_batch["lines"]}
    us_lines = {(ref, currency): -Decimal(amount) for ref, currency, amount in us_batch["lines"]}
    assert us_lines == cn_lines
    # cn owes us each line's export price less cn's commission, in USD; us owes cn in CNY.
    dues = {}
    for importer, exporter, sign in (("cn", "us", -1), ("us", "cn", 1)):
        for line in sold[importer]:
            price = GOODS[exporter][line["sku"].split("-", 1)[1]][4]
            dues[(line["reference"], CURRENCY[exporter])] = sign * exporter_due(price, line["quantity"])
    assert cn_lines == dues

    expected = expected_cn_net()
    assert Decimal(cn_batch["net"]) == expected
    assert Decimal(us_batch["net"]) == -expected
    assert Decimal(cn_batch["partner_net"]) == -expected
    debtor, creditor = (cn_batch, us_batch) if expected < 0 else (us_batch, cn_batch)
    assert creditor["payouts"] == 0 and debtor["payouts"] == 1
    assert Decimal(debtor["payout"]["amount"]) == abs(expected) and debtor["payout"]["currency"] == "USD"
    assert f'<InstdAmt Ccy="USD">{abs(expected)}</InstdAmt>' in debtor["payout"]["pain001"]
