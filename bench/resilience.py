"""The reliability page's measured scenarios (issue 19, docs/reliability.md "Measured"): two
partnered instances as separate processes (gunicorn web, Celery worker and beat each) on PostgreSQL
and Redis, over loopback, `cn` exporting to `us`:

- load: browse (GET a product page) and checkout (POST /api/shop/v1/orders/, each request another
  buyer) on cn with wrk at a stated number of connections for a stated time: p50 / p95 / p99 and the
  5xx count.
- flash: BUYERS buyers (CONCURRENCY at a time, each its own address, e-mail and phone) for UNITS
  units, once of cn's own goods on cn, once of cn's goods in us's partner zone (cross-border direct
  stock): the orders placed, the refusals, the lowest stock seen; then the partner-goods orders are
  paid and forwarded to cn.
- outbox: ORDERS paid orders of partner goods placed on us (through the order and payment services,
  in a process of us's own, while us's worker relays them on commit): the time until cn has them
  all, and the duplicates on either side.
- crash: us's worker killed with SIGKILL (kill -9) while its relay holds the partnership's lease
  and a backlog drains; a new worker is started at once: the time until the partnership's messages
  flow again, next to the lease left at the kill.

The faults ("faults" runs them all), each while us takes orders of cn's goods through its shop API
(one buyer each, paid in batches), each order's forwarding queued in us's outbox:

- down: cn's web server stopped for DOWN_SECONDS: the orders placed, then the time from cn's return
  until us's outbox has delivered them all.
- broker: us's Redis (its web server's, worker's and beat's) unreachable for BROKER_SECONDS, through
  a gate (bench/_gate.py) that refuses connections and cuts the open ones: the orders placed, the
  messages held, the time from Redis's return until all are delivered.
- lost: cn's answer dropped after cn applied the message, one in three, LOST_REPLIES times: the
  messages sent again (same Idempotency-Key), each applied once.
- beat: a second Celery beat on us for BEAT_SECONDS (every periodic task fired twice).
- skew: cn's web server with its clock SKEW seconds behind for SKEW_SECONDS
  (bench/skewed_clock/): us's messages refused 401 signature_from_future, nothing applied, then
  all delivered once the clock is right.
- rotation: us then cn rotate their signing keys, twice, the second time retiring the previous key
  at once (the grace period cut short): messages refused or sent again.
- opposite: BUYERS buyers, CONCURRENCY at a time, each ordering one of each of two goods of UNITS
  units, half listing them in one order and half in the other; own goods on cn, partner goods on
  us: the orders placed, the answers, PostgreSQL's deadlock count, the stock left.

After each scenario the "nothing lost" checks run on both instances: every ledger transaction
balances per currency; outbox created = delivered (sender) = acknowledged (the receiver's inbox,
once per seq); every stock level equals the sum of its movements and none is negative; the orders
us forwarded and the orders cn recorded are the same (reference, number, lines, export amounts);
then both close the next settlement period and exchange statements: each batch reconciled, no
dispute, and both sides' statement lines the same (event, currency, amount owed).
Any failed check makes the exit status 2.

    .venv/bin/python bench/resilience.py [load flash outbox crash] [faults | down broker lost beat skew
        rotation opposite] [--down-seconds 150] [--broker-seconds 60] [--lost-replies 20] [--beat-seconds 60]
        [--skew 120 --skew-seconds 60] [--orders 10000] [--buyers 500]
        [--units 50] [--redis redis://127.0.0.1:6379 --redis-dbs 14,15] [--database-prefix cb_bench_resilience]
"""

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import BenchInstance, free_port, log, recreate_database, shell_json  # noqa: E402
from scripts.instances import CN, US, link  # noqa: E402

SCENARIOS = ("load", "flash", "outbox", "crash")
FAULTS = ("down", "broker", "lost", "beat", "skew", "rotation", "opposite")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
LUA = Path(__file__).with_name("resilience_wrk.lua")
CN_RECIPIENT = {
    "name": "买家",
    "address_lines": ["长宁路 1018 号"],
    "country_area": "上海市",
    "city": "上海",
    "postcode": "200050",
    "country": "CN",
}
US_RECIPIENT = {
    "name": "Sam Carter",
    "address_lines": ["500 Pine Street"],
    "country_area": "WA",
    "city": "Seattle",
    "postcode": "98101",
    "country": "US",
}

# Every bench buyer has an address, an e-mail and a phone of its own (X-Forwarded-For through one
# trusted proxy), so the per-shopper limits and locks work as for real shoppers; the per-client
# rate is lifted (one load generator is not one shopper).
ENV = {
    "CROSSBORDER_TRUSTED_PROXIES": "1",
    "CROSSBORDER_SHOP_API_ORDER_RATE": "1000000/hour",
    "CROSSBORDER_LOG_LEVEL": "WARNING",
}

GOODS = """
import json
from decimal import Decimal
from djmoney.money import Money
from catalog import services
from crossborder.models import ExchangeRate, Partner
from django.utils import timezone
import datetime as dt
from django.core.management import call_command
call_command("ensure_warehouse", code="sha-1", name="Shanghai 1", country="CN", operator="cn",
             address="1018 Changning Road, Shanghai")
partnership = Partner.objects.get(code="us").live_partnership()
merchant = services.create_merchant(name="Resilience Goods", slug="resilience-goods")
made = {}
for code, stock, offered in json.loads(GOODS_JSON):
    product = services.save_product(merchant=merchant, data=services.ProductInput(
        code=code, category_id=662, original_language="zh-hans", country_of_origin="CN", hs_code="691110",
        weight_grams=500, texts={"en": (f"Tea set {code}", ""), "zh-hans": (f"茶具 {code}", "")},
        variants=[services.VariantInput(sku=f"CN-{code}", price=Money(Decimal("89.00"), "CNY"), stock=stock)],
    ))
    if offered:
        services.set_export_offer(merchant=merchant, product=product, partnership=partnership, is_offered=True,
                                  export_price=Money(Decimal("89.00"), "CNY"), direct_stock=offered)
    made[code] = f"/p/{product.reference}/"
ExchangeRate.objects.create(base="USD", quote="CNY", rate=Decimal("7.2"), as_of=timezone.now() - dt.timedelta(days=30))
print(json.dumps(made))
"""

RATE = """
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from crossborder.models import ExchangeRate
ExchangeRate.objects.create(base="USD", quote="CNY", rate=Decimal("7.2"), as_of=timezone.now() - dt.timedelta(days=30))
print("{}")
"""

LISTINGS = """
import json
from partner_zone.models import PartnerListing
print(json.dumps({l.variants[0]["sku"]: [l.pk, str(l.price.amount) if l.price is not None else None, l.is_orderable,
                                        l.direct_stock] for l in PartnerListing.objects.all()}))
"""

# Paid orders of one partner listing, through the services the shop API and the payment webhook
# call; each its own buyer. Prints the seconds taken.
PAID_ORDERS = """
import json, time
from payments.shop.services import direct_order, orders
from payments.shop.services.checkout import Buyer
count, listing, sku, total, tag = ARGS
started = time.perf_counter()
for n in range(count):
    order = direct_order.order_now(
        items=[{"listing": listing, "sku": sku, "quantity": 1}], expected_total=total,
        buyer=Buyer(
            recipient=RECIPIENT, email=f"{tag}{n}@example.com", phone=f"+1 206 555 {n % 10000:04d}",
            client_ip=f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}",
        ),
    )
    orders.mark_paid(order=order, payment_reference=f"{tag}-{n}", amount=order.total)
print(json.dumps({"seconds": time.perf_counter() - started}))
"""

PAY = """
import json
from payments.models import Order
from payments.shop.services import orders
paid = 0
for order in Order.objects.filter(token__in=TOKENS):
    orders.mark_paid(order=order, payment_reference=f"flash-{order.number}", amount=order.total)
    paid += 1
print(json.dumps({"paid": paid}))
"""

# The "nothing lost" figures of one instance.
CHECK = """
import hashlib, json
from django.db.models import F, Min, Sum
from crossborder.models import InboxMessage, OutboxMessage
from logistics.models import StockLevel
from payments.ledger.models import LedgerTransaction, Posting
from payments.models import ForwardedOrder, Order
from payments.shop.models import Origin
from catalog.models import ProductVariant
from partner_zone.models import PartnerListing

out = {}
out["ledger_transactions"] = LedgerTransaction.objects.count()
out["ledger_unbalanced"] = (Posting.objects.values("transaction_id", "currency").annotate(total=Sum("amount"))
                            .exclude(total=0).count())
box = {s: OutboxMessage.objects.filter(status=s).count() for s in ("pending", "delivered", "rejected", "withheld")}
box["created"] = OutboxMessage.objects.count()
out["outbox"] = box
out["inbox_applied"] = InboxMessage.objects.filter(status="done", seq__isnull=False).count()
out["inbox_distinct_seq"] = (InboxMessage.objects.filter(status="done", seq__isnull=False)
                             .values("partnership_id", "seq").distinct().count())
levels = StockLevel.objects.annotate(
    m_on_hand=Sum("movements__on_hand_delta"), m_reserved=Sum("movements__reserved_delta"),
    m_picked=Sum("movements__picked_delta"))
out["stock_levels"] = levels.count()
out["stock_off_movements"] = sum(
    1 for l in levels if (l.on_hand, l.reserved, l.picked) != (l.m_on_hand or 0, l.m_reserved or 0, l.m_picked or 0))
lowest = StockLevel.objects.aggregate(on_hand=Min("on_hand"), reserved=Min("reserved"), picked=Min("picked"))
out["stock_lowest"] = min([v for v in lowest.values() if v is not None] or [0])
out["stock_reserved_over_on_hand"] = StockLevel.objects.filter(reserved__gt=F("on_hand")).count()
out["variant_stock_lowest"] = ProductVariant.objects.aggregate(m=Min("stock"))["m"]
out["listing_direct_stock_lowest"] = PartnerListing.objects.aggregate(m=Min("direct_stock"))["m"]
sent = []
for order in Order.objects.filter(lines__origin=Origin.PARTNER, paid_at__isnull=False).distinct():
    lines = sorted([l.reference, l.sku, l.quantity, str(l.export_amount.amount), str(l.export_amount.currency)]
                   for l in order.lines.filter(origin=Origin.PARTNER))
    sent.append([str(order.reference), str(order.number), lines])
received = []
for order in ForwardedOrder.objects.all():
    lines = sorted([l["reference"], l["sku"], l["quantity"], l["export_amount"]["amount"],
                    l["export_amount"]["currency"]] for l in order.lines)
    received.append([str(order.reference), order.number, lines])
for name, rows in (("forwarded_sent", sent), ("forwarded_received", received)):
    rows.sort()
    out[name] = [len(rows), hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]]
print(json.dumps(out))
"""


# The latest settlement batch of one instance and its statement lines, signed as seen from `SIGN`
# (1 on cn; -1 on us, whose lines are the same amounts owed the other way). A line's kind is each
# side's own name for its half of the event (goods sold abroad / partner goods sale), so the lines
# are compared by event, currency and amount.
STATEMENT = """
import hashlib, json
from payments.models import SettlementBatch
batch = SettlementBatch.objects.order_by("-period_end").first()
lines = sorted([l.event_reference, l.currency, str((l.amount * SIGN).normalize())] for l in batch.lines.all())
print(json.dumps({"status": batch.status, "period_end": batch.period_end.isoformat(), "net": str(batch.net_amount),
                  "partner_net": str(batch.partner_net_amount), "disputes": batch.disputes.count(),
                  "lines": len(lines), "digest": hashlib.sha256(json.dumps(lines).encode()).hexdigest()[:16]}))
"""


@dataclasses.dataclass
class Pair:
    cn: BenchInstance
    us: BenchInstance
    listings: dict
    paths: dict
    failures: list = dataclasses.field(default_factory=list)
    rows: list = dataclasses.field(default_factory=list)
    settlements: int = 0

    def figure(self, name, value, note=""):
        self.rows.append((name, value, note))
        log(f"| {name} | {value} | {note} |")


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def start_pair(args, tmp):
    server = args.postgres.rstrip("/")
    cn_db, us_db = (f"{server}/{args.database_prefix}_{code}" for code in ("cn", "us"))
    for url in (cn_db, us_db):
        recreate_database(url)
    brokers = [f"{args.redis.rstrip('/')}/{n}" for n in args.redis_dbs.split(",")]
    for url in brokers:
        flush_redis(url)
    cn, us = (
        BenchInstance(
            dataclasses.replace(spec, port=free_port()),
            tmp / spec.code,
            database_url=db,
            broker_url=broker,
            extra_env=ENV,
            workers=args.workers,
        )
        for spec, db, broker in ((CN, cn_db, brokers[0]), (US, us_db, brokers[1]))
    )
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda i: i.prepare(), (cn, us)))
    for instance in (cn, us):
        instance.start()
    for instance in (cn, us):
        instance.wait_ready()
    link(us, cn, token=uuid.uuid4().hex)
    # cn's goods: own ones for the load and the own-goods flash sale, offered ones for us's zone.
    bulk = args.orders + args.crash_orders + 10
    goods = [["LOAD", 1_000_000, 0], ["FLASH", args.units, 0], ["ZFLASH", args.units, args.units], ["BULK", bulk, bulk]]
    goods += [["FAULTS", 1_000_000, 1_000_000], *([f"{z}PAIR{x}", args.units, args.units if z else 0]
                                                    for z in ("", "Z") for x in "AB")]  # fmt: skip
    paths = shell_json(cn, f"GOODS_JSON = {json.dumps(goods)!r}\n" + GOODS)
    shell_json(us, RATE)
    us.manage("sync_partner_catalog", "--partner", "cn")
    us.manage("reprice_listings", "--partner", "cn")
    listings = shell_json(us, LISTINGS)
    log(f"cn {cn.base_url}, us {us.base_url}: {args.workers} gunicorn sync workers, a Celery worker and beat each")
    log(f"us's zone of cn: {listings}")
    return Pair(cn, us, listings, paths)


def total_for(instance, item, recipient):
    """The order's total, read from the refusal of a deliberately wrong one (the shop API names it)."""
    import requests

    items = item if isinstance(item, list) else [item]
    body = {"items": items, "recipient": recipient, "email": "probe@example.com", "phone": "+1 206 555 0100",
            "expected_total": "0.01"}  # fmt: skip
    answer = requests.post(instance.base_url + "/api/shop/v1/orders/", json=body, timeout=30)
    found = re.findall(r"(\d[\d,]*\.\d\d)", answer.json().get("detail", "")) if answer.status_code == 409 else []
    if not found:
        raise RuntimeError(f"could not read the total: {answer.status_code} {answer.text}")
    return found[-1].replace(",", ""), answer.json()


def check(pair, scenario):
    """The nothing-lost checks on both sides; a failed one is recorded and printed."""
    cn, us = (shell_json(instance, CHECK) for instance in (pair.cn, pair.us))
    problems = []
    for code, side in (("cn", cn), ("us", us)):
        if side["ledger_unbalanced"]:
            problems.append(f"{code}: {side['ledger_unbalanced']} unbalanced (transaction, currency)")
        if side["stock_off_movements"] or side["stock_lowest"] < 0 or side["stock_reserved_over_on_hand"]:
            problems.append(f"{code}: stock {side}")
        if (side["variant_stock_lowest"] or 0) < 0 or (side["listing_direct_stock_lowest"] or 0) < 0:
            problems.append(f"{code}: negative sellable figure")
        if side["outbox"]["pending"] or side["outbox"]["rejected"]:
            problems.append(f"{code}: outbox {side['outbox']}")
        if side["inbox_applied"] != side["inbox_distinct_seq"]:
            problems.append(f"{code}: a seq applied twice")
    for sender, receiver, name in ((us, cn, "us->cn"), (cn, us, "cn->us")):
        if sender["outbox"]["created"] != sender["outbox"]["delivered"] + sender["outbox"]["withheld"]:
            problems.append(f"{name}: created {sender['outbox']['created']} != delivered")
        if sender["outbox"]["delivered"] != receiver["inbox_applied"]:
            problems.append(
                f"{name}: delivered {sender['outbox']['delivered']} != acknowledged {receiver['inbox_applied']}"
            )
    if us["forwarded_sent"] != cn["forwarded_received"]:
        problems.append(f"forwarded orders differ: us {us['forwarded_sent']} cn {cn['forwarded_received']}")
    summary = (
        f"ledger: {cn['ledger_transactions']} + {us['ledger_transactions']} transactions, "
        f"{cn['ledger_unbalanced'] + us['ledger_unbalanced']} unbalanced; "
        f"outbox us->cn created/delivered/acknowledged {us['outbox']['created']}/{us['outbox']['delivered']}/"
        f"{cn['inbox_applied']}, cn->us {cn['outbox']['created']}/{cn['outbox']['delivered']}/{us['inbox_applied']}; "
        f"stock levels off their movements {cn['stock_off_movements']} + {us['stock_off_movements']} "
        f"(of {cn['stock_levels']} + {us['stock_levels']}), lowest {min(cn['stock_lowest'], us['stock_lowest'])}; "
        f"forwarded orders us {us['forwarded_sent'][0]} = cn {cn['forwarded_received'][0]} "
        f"({'identical' if us['forwarded_sent'] == cn['forwarded_received'] else 'DIFFERENT'})"
    )
    problems += settle(pair, scenario)
    pair.figure(f"{scenario}: nothing lost", "OK" if not problems else "FAILED", summary)
    for problem in problems:
        log(f"  ! {problem}")
    pair.failures.extend(f"{scenario}: {p}" for p in problems)
    return cn, us


def settle(pair, scenario):
    """Both platforms close the next settlement period (a later day's cut-off each time, acting just
    after it) and exchange their statements: each batch must reconcile, without dispute, and both
    sides' statement lines must be the same lines (the amounts owed the other way round)."""
    pair.settlements += 1
    now = dt.datetime.now(dt.UTC)
    cutoff = dt.datetime.combine(now.date(), dt.time(23, 0), tzinfo=dt.UTC)
    cutoff += dt.timedelta(days=pair.settlements - (1 if cutoff > now else 0))
    after = (cutoff + dt.timedelta(minutes=5)).isoformat()
    for instance in (pair.cn, pair.us):
        instance.manage("close_settlement", "--period-end", cutoff.isoformat(), "--now", after)
    deadline = time.monotonic() + 300
    while True:
        wait_drained(pair, 300)
        cn, us = (shell_json(i, f"SIGN = {sign}\n" + STATEMENT) for i, sign in ((pair.cn, 1), (pair.us, -1)))
        if "open" not in (cn["status"], us["status"]) or time.monotonic() > deadline:
            break
        time.sleep(1)
    problems = []
    if (cn["status"], us["status"]) != ("reconciled", "reconciled") or cn["disputes"] or us["disputes"]:
        problems.append(
            f"settlement: cn {cn['status']} ({cn['disputes']} disputes), us {us['status']} ({us['disputes']})"
        )
    if (cn["lines"], cn["digest"]) != (us["lines"], us["digest"]):
        problems.append(f"statement lines differ: cn {cn['lines']} {cn['digest']}, us {us['lines']} {us['digest']}")
    pair.figure(
        f"{scenario}: settled",
        "reconciled" if not problems else "FAILED",
        f"period to {cutoff:%Y-%m-%d %H:%M}: cn {cn['status']} net {cn['net']}, us {us['status']} net {us['net']}; "
        f"statement lines cn {cn['lines']} = us {us['lines']} ({'identical' if cn['digest'] == us['digest'] else 'DIFFERENT'})",
    )
    return problems


def wait_drained(pair, timeout):
    """Until neither outbox has a pending message; the seconds it took."""
    import psycopg2

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pending = 0
        for instance in (pair.cn, pair.us):
            with psycopg2.connect(instance.database_url) as connection, connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM crossborder_outboxmessage WHERE status = 'pending'")
                pending += cursor.fetchone()[0]
            connection.close()
        if not pending:
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError(f"outboxes not drained within {timeout}s")


# --- load ---------------------------------------------------------------------------------------------


def wrk(url, connections, seconds, *extra):
    command = [WRK, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "-s", str(LUA), url,
               "--", *extra]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    return dict(part.split("=") for part in line.split()[1:])


def scenario_load(pair, args):
    body = {"items": [{"sku": "CN-LOAD", "quantity": 1}], "recipient": CN_RECIPIENT}
    total, _ = total_for(pair.cn, body["items"][0], CN_RECIPIENT)
    template = json.dumps({**body, "email": "EMAIL", "phone": "PHONE", "expected_total": total})
    browse = wrk(pair.cn.base_url + pair.paths["LOAD"], args.connections, args.seconds, "GET")
    pair.figure(
        f"load: browse (GET product page), {args.connections} connections, {args.seconds} s",
        f"{float(browse['rps']):.0f} req/s, p50/p95/p99 {browse['p50']}/{browse['p95']}/{browse['p99']} ms",
        f"{browse['requests']} requests, 5xx {browse['s5xx']}, other non-2xx {browse['other']}, socket errors {browse['errors']}",
    )
    order = wrk(pair.cn.base_url + "/api/shop/v1/orders/", args.connections, args.seconds, "POST", template)
    pair.figure(
        f"load: checkout (POST /api/shop/v1/orders/, a new buyer each), {args.connections} connections, {args.seconds} s",
        f"{float(order['rps']):.1f} orders/s, p50/p95/p99 {order['p50']}/{order['p95']}/{order['p99']} ms",
        f"{order['requests']} requests, 201 {order['s2xx']}, 5xx {order['s5xx']}, other non-2xx {order['other']}, "
        f"socket errors {order['errors']}",
    )
    wait_drained(pair, 120)
    check(pair, "load")


# --- flash sales ------------------------------------------------------------------------------------------


def flash_sale(instance, item, recipient, buyers, concurrency):
    import requests

    total, _ = total_for(instance, item, recipient)
    lowest = [None]
    stop = threading.Event()

    def watch():  # the lowest sellable figure seen while the sale runs
        import psycopg2

        connection = psycopg2.connect(instance.database_url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            while not stop.is_set():
                cursor.execute(
                    "SELECT least((SELECT min(stock) FROM catalog_productvariant),"
                    " (SELECT min(direct_stock) FROM partner_zone_partnerlisting),"
                    " (SELECT min(on_hand - reserved) FROM logistics_stocklevel))"
                )
                value = cursor.fetchone()[0]
                lowest[0] = value if lowest[0] is None else min(lowest[0], value)
                time.sleep(0.02)
        connection.close()

    def buy(n):
        body = {"items": [item], "recipient": recipient, "email": f"flash{n}@example.com",
                "phone": f"+1 206 555 {n:04d}", "expected_total": total}  # fmt: skip
        headers = {"X-Forwarded-For": f"10.1.{n >> 8}.{n & 255}"}
        started = time.perf_counter()
        try:
            answer = requests.post(instance.base_url + "/api/shop/v1/orders/", json=body, headers=headers, timeout=60)
        except requests.RequestException as exc:
            return "error", type(exc).__name__, time.perf_counter() - started
        token = answer.json().get("token") if answer.status_code == 201 else None
        return answer.status_code, token, time.perf_counter() - started

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(buy, range(buyers)))
    finally:
        stop.set()
        watcher.join()
    elapsed = time.perf_counter() - started
    statuses = {}
    for status, _token, _seconds in results:
        statuses[status] = statuses.get(status, 0) + 1
    tokens = [token for status, token, _ in results if status == 201]
    latencies = sorted(seconds for *_, seconds in results)
    return tokens, statuses, elapsed, latencies[int(len(latencies) * 0.95) - 1], lowest[0]


def scenario_flash(pair, args):
    for name, instance, item, recipient in (
        ("own goods (cn)", pair.cn, {"sku": "CN-FLASH", "quantity": 1}, CN_RECIPIENT),
        ("partner goods (us's zone of cn)", pair.us, {"listing": pair.listings["CN-ZFLASH"][0], "quantity": 1},
         US_RECIPIENT),
    ):  # fmt: skip
        tokens, statuses, elapsed, p95, lowest = flash_sale(instance, item, recipient, args.buyers, args.concurrency)
        ok = len(tokens) == args.units and (lowest is None or lowest >= 0) and set(statuses) <= {201, 409, 400}
        pair.figure(
            f"flash: {args.buyers} buyers for {args.units} units, {name}, {args.concurrency} at a time",
            f"{len(tokens)} orders",
            f"answers {dict(sorted(statuses.items(), key=str))}, lowest sellable seen {lowest}, {elapsed:.1f} s, "
            f"p95 {p95 * 1000:.0f} ms{'' if ok else ' FAILED'}",
        )
        if not ok:
            pair.failures.append(f"flash {name}: {len(tokens)} orders, {statuses}, lowest {lowest}")
        if instance is pair.us:
            paid = shell_json(pair.us, f"TOKENS = {tokens!r}\n" + PAY)
            log(f"  paid {paid['paid']} partner-goods orders (forwarded to cn through the outbox)")
    wait_drained(pair, 300)
    check(pair, "flash")


# --- 10,000 orders through the outbox ---------------------------------------------------------------------------


def paid_orders(pair, count, tag):
    listing, price = pair.listings["CN-BULK"][:2]
    total, _ = total_for(pair.us, {"listing": listing, "quantity": 1}, US_RECIPIENT)
    code = f"ARGS = ({count}, {listing}, 'CN-BULK', {total!r}, {tag!r})\nRECIPIENT = {US_RECIPIENT!r}\n" + PAID_ORDERS
    return shell_json(pair.us, code)["seconds"]


def outbox_counts(instance):
    import psycopg2

    with psycopg2.connect(instance.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status = 'delivered'), count(*), max(delivered_at)"
            " FROM crossborder_outboxmessage WHERE message_type = 'order.forwarded'"
        )
        row = cursor.fetchone()
    connection.close()
    return row


def scenario_outbox(pair, args):
    started = time.monotonic()
    seconds = paid_orders(pair, args.orders, "bulk")
    drained = wait_drained(pair, 3600)
    elapsed = time.monotonic() - started
    pair.figure(
        f"outbox: {args.orders} paid partner-goods orders on us, forwarded to cn as they are paid",
        f"{elapsed:.0f} s until cn had them all",
        f"placing and paying took {seconds:.0f} s ({args.orders / seconds:.0f} orders/s); the relay caught up "
        f"{drained:.0f} s after the last",
    )
    check(pair, "outbox")


# --- a worker killed mid-relay -----------------------------------------------------------------------------


def lease(instance):
    import psycopg2

    with psycopg2.connect(instance.database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT token, until FROM crossborder_relaylease")
        row = cursor.fetchone()
    connection.close()
    return row


def scenario_crash(pair, args):
    us = pair.us
    us.stop("worker")
    paid_orders(pair, args.crash_orders, f"crash{int(time.time())}")
    delivered_before, _total, _last = outbox_counts(us)
    us.start_worker()
    deadline = time.monotonic() + 120
    while True:  # a backlog draining: kill the worker mid-relay, while it holds the lease
        delivered, _total, _last = outbox_counts(us)
        token, until = lease(us)
        if delivered - delivered_before >= 20 and token:
            break
        if time.monotonic() > deadline:
            raise TimeoutError("us's worker never started relaying the backlog")
        time.sleep(0.05)
    us.kill("worker")
    killed_at = dt.datetime.now(dt.UTC)
    token, until = lease(us)
    delivered_at_kill, total, last = outbox_counts(us)
    us.start_worker()  # what a supervisor does: a new worker at once
    deadline = time.monotonic() + 300
    while True:
        delivered, total, last = outbox_counts(us)
        if delivered > delivered_at_kill and last > killed_at:
            break
        if time.monotonic() > deadline:
            raise TimeoutError("messages did not flow within 300 s of the kill")
        time.sleep(0.1)
    flowing = (last - killed_at).total_seconds()
    left = (until - killed_at).total_seconds() if until else None
    pair.figure(
        "crash: us's worker killed (SIGKILL) mid-relay, a new one started at once",
        f"{flowing:.1f} s until the partnership's messages flowed again",
        f"lease left at the kill {left:.1f} s (CROSSBORDER_OUTBOX_LEASE_SECONDS 25), relay interval 5 s; "
        f"{delivered_at_kill - delivered_before} of {args.crash_orders} delivered before the kill",
    )
    wait_drained(pair, 600)
    check(pair, "crash")


# --- faults: the partner down, the broker unreachable, lost replies, two beats, a skewed clock,
# key rotation, multi-item orders in opposite orders ----------------------------------------------------------


class Traffic:
    """Orders of cn's goods placed in us's partner zone through the shop API while a fault lasts,
    one buyer each (its own address, e-mail and phone), paid in batches through the payment service
    (what the payment webhook calls), each payment queueing its forwarding to cn in us's outbox."""

    batch = 10

    def __init__(self, pair, tag, serial):
        self.pair, self.tag, self.serial = pair, f"{tag}{serial}-", serial
        self.item = {"listing": pair.listings["CN-FAULTS"][0], "quantity": 1}
        self.total, _ = total_for(pair.us, self.item, US_RECIPIENT)
        self.statuses, self.paid, self.errors = {}, 0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _order(self, n):
        import requests

        body = {"items": [self.item], "recipient": US_RECIPIENT, "email": f"{self.tag}{n}@example.com",
                "phone": f"+1 206 555 {n % 10000:04d}", "expected_total": self.total}  # fmt: skip
        headers = {"X-Forwarded-For": f"10.{20 + self.serial % 200}.{n >> 8 & 255}.{n & 255}"}
        try:
            answer = requests.post(
                self.pair.us.base_url + "/api/shop/v1/orders/", json=body, headers=headers, timeout=60
            )
        except requests.RequestException as exc:
            self.errors.append(type(exc).__name__)
            return None
        self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1
        return answer.json().get("token") if answer.status_code == 201 else None

    def _run(self):
        tokens, n = [], 0
        while not self._stop.is_set() or tokens:
            if not self._stop.is_set():
                token = self._order(n)
                n += 1
                tokens += [token] if token else []
            if len(tokens) >= self.batch or (self._stop.is_set() and tokens):
                self.paid += shell_json(self.pair.us, f"TOKENS = {tokens!r}\n" + PAY)["paid"]
                tokens = []

    @property
    def server_errors(self):
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def summary(self):
        answers = dict(sorted(self.statuses.items()))
        return f"{self.paid} orders placed and paid (answers {answers}, 5xx {self.server_errors}, errors {len(self.errors)})"


TRAFFIC_SERIALS = itertools.count(1)  # each traffic its own addresses and e-mails


def traffic(pair, tag):
    return Traffic(pair, tag, next(TRAFFIC_SERIALS))


def pending_messages(instance):
    return psql_one(instance, "SELECT count(*) FROM crossborder_outboxmessage WHERE status = 'pending'")


def psql_one(instance, query, *params):
    import psycopg2

    with psycopg2.connect(instance.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
    connection.close()
    return row[0] if len(row) == 1 else row


def restart(instance, *components):
    instance.stop(*components)
    for component in components:
        getattr(instance, f"start_{component}")()
    if "web" in components:
        instance.wait_ready()


def scenario_down(pair, args):
    """cn (the partner) stopped for DOWN_SECONDS while us takes orders of its goods."""
    pair.cn.stop("web")
    with traffic(pair, "down") as orders:
        time.sleep(args.down_seconds)
    held = pending_messages(pair.us)
    pair.cn.start_web()
    pair.cn.wait_ready()
    drained = wait_drained(pair, 1200)
    pair.figure(
        f"down: cn (the partner) down {args.down_seconds} s while us takes orders of its goods",
        f"{orders.paid} orders placed, all forwarded {drained:.0f} s after cn was back",
        f"{orders.summary()}; {held} messages held in us's outbox at cn's return; the wait is the relay's "
        f"backoff (2 s doubling, jittered) reaching its next attempt",
    )
    if orders.server_errors or not orders.paid:
        pair.failures.append(f"down: {orders.summary()}")
    check(pair, "down")


def scenario_broker(pair, args):
    """us's broker (Redis) unreachable for BROKER_SECONDS while us takes orders: us's web, worker
    and beat reach Redis through a gate, which is closed (connections refused, open ones cut)."""
    from bench._gate import Gate

    us, real = pair.us, pair.us.broker_url
    host, db = real.rsplit("/", 1)
    gate = Gate(int(host.rsplit(":", 1)[1]))
    us.broker_url = f"redis://127.0.0.1:{gate.port}/{db}"
    restart(us, "web", "worker", "beat")
    try:
        gate.close()
        with traffic(pair, "broker") as orders:
            time.sleep(args.broker_seconds)
        held = pending_messages(us)
        gate.open()
        drained = wait_drained(pair, 600)
    finally:
        gate.close()
        us.broker_url = real
        restart(us, "web", "worker", "beat")
    pair.figure(
        f"broker: us's Redis unreachable {args.broker_seconds} s while us takes orders",
        f"{orders.paid} orders placed, {held} held in the outbox, all forwarded {drained:.0f} s after Redis was back",
        f"{orders.summary()}; the worker and the beat reconnect by themselves",
    )
    if orders.server_errors or not orders.paid or not held:
        pair.failures.append(f"broker: {orders.summary()}, {held} held")
    check(pair, "broker")


def gate_in_front(instance):
    """Move the instance's web server behind a gate on its own port; returns the gate."""
    from bench._gate import Gate

    instance.stop("web")
    instance.bind_port = free_port()
    instance.start_web()
    gate = Gate(instance.bind_port, port=instance.port or instance.spec.port)
    instance.wait_ready()
    return gate


def gate_removed(instance, gate):
    gate.close()
    instance.bind_port = 0
    restart(instance, "web")


RESENT = """
import json
from crossborder.models import OutboxMessage
print(json.dumps(OutboxMessage.objects.filter(attempts__gt=1, created_at__gte=SINCE).count()))
"""


def resent_since(instance, since):
    return shell_json(
        instance, f"import datetime as dt\nSINCE = dt.datetime.fromisoformat({since.isoformat()!r})\n" + RESENT
    )


def scenario_lost(pair, args):
    """cn applies us's messages but its answer to one in three is dropped on the way back (the
    connection cut after cn committed), LOST_REPLIES times: us sends each again, same key."""
    since = dt.datetime.now(dt.UTC)
    gate = gate_in_front(pair.cn)
    try:
        gate.drop_answers(args.lost_replies)
        with traffic(pair, "lost") as orders:
            deadline = time.monotonic() + 600
            while gate.dropped < args.lost_replies and time.monotonic() < deadline:
                time.sleep(1)
        drained = wait_drained(pair, 600)
    finally:
        gate_removed(pair.cn, gate)
    resent = resent_since(pair.us, since)
    pair.figure(
        f"lost: cn's answer dropped after it applied the message, {args.lost_replies} times",
        f"{gate.dropped} replies lost, {resent} messages sent again, each applied once",
        f"{orders.summary()}; drained {drained:.0f} s after the last order",
    )
    if gate.dropped < args.lost_replies or orders.server_errors:
        pair.failures.append(f"lost: {gate.dropped} dropped, {orders.summary()}")
    check(pair, "lost")


def scenario_beat(pair, args):
    """A second Celery beat on us for BEAT_SECONDS (every periodic task fired twice) while us takes orders."""
    us = pair.us
    marks = {name: us.log_path(name).stat().st_size if us.log_path(name).exists() else 0 for name in ("beat", "beat2")}
    celery = [str(Path(sys.executable).parent / "celery"), "-A", "crossborder", "beat", "-l", "INFO"]
    us._spawn("beat2", [*celery, "--schedule", str(us.data_dir / "celerybeat-schedule-2")])
    try:
        with traffic(pair, "beat") as orders:
            time.sleep(args.beat_seconds)
    finally:
        us.stop("beat2")
    drained = wait_drained(pair, 600)
    fired = {}
    for name, mark in marks.items():
        with open(us.log_path(name), "rb") as handle:
            handle.seek(mark)
            fired[name] = handle.read().count(b"crossborder.tasks.relay_all_outboxes")
    pair.figure(
        f"beat: two beats on us for {args.beat_seconds} s while it takes orders",
        f"{orders.paid} orders forwarded, each applied once",
        f"{orders.summary()}; relay runs queued by the first beat {fired['beat']}, by the second {fired['beat2']}; "
        f"drained {drained:.0f} s after the last order",
    )
    if not fired["beat2"] or orders.server_errors:
        pair.failures.append(f"beat: second beat fired {fired['beat2']}, {orders.summary()}")
    check(pair, "beat")


LAST_ERROR = """
import json
from crossborder.models import OutboxMessage
head = OutboxMessage.objects.filter(status="pending").order_by("seq").first()
print(json.dumps([head.attempts, head.last_error] if head else None))
"""


def scenario_skew(pair, args):
    """cn's web server runs with its clock SKEW seconds behind for SKEW_SECONDS while us takes
    orders: us's requests look signed in the future, past the tolerated minute."""
    cn = pair.cn
    applied = psql_one(cn, "SELECT count(*) FROM crossborder_inboxmessage")
    cn.extra_env = {**cn.extra_env, "PYTHONPATH": str(ROOT / "bench" / "skewed_clock"),
                    "CROSSBORDER_BENCH_CLOCK_OFFSET": str(-args.skew)}  # fmt: skip
    try:
        restart(cn, "web")
        with traffic(pair, "skew") as orders:
            time.sleep(args.skew_seconds)
        head = shell_json(pair.us, LAST_ERROR)
        applied_during = psql_one(cn, "SELECT count(*) FROM crossborder_inboxmessage") - applied
    finally:
        cn.extra_env = {
            k: v for k, v in cn.extra_env.items() if k not in ("PYTHONPATH", "CROSSBORDER_BENCH_CLOCK_OFFSET")
        }
        restart(cn, "web")
    drained = wait_drained(pair, 600)
    refused = head is not None and "signature_from_future" in head[1]
    pair.figure(
        f"skew: cn's clock {args.skew} s behind for {args.skew_seconds} s while us takes orders",
        f"refused 401 signature_from_future: {'yes' if refused else 'NO'}, {applied_during} applied meanwhile; "
        f"all {orders.paid} forwarded {drained:.0f} s after the clock was right",
        f"{orders.summary()}; us's first waiting message after {head[0] if head else 0} attempts: "
        f"{(head[1] if head else '')[:160]}",
    )
    if not refused or applied_during or orders.server_errors:
        pair.failures.append(f"skew: refused {refused}, applied meanwhile {applied_during}, {orders.summary()}")
    check(pair, "skew")


ROTATE = """
import json, time
from crossborder import services
from crossborder.models import SigningKey
old = SigningKey.objects.get(status="current").key_id
services.rotate_signing_key()
deadline = time.monotonic() + 300
while SigningKey.objects.filter(status="next").exists() and time.monotonic() < deadline:
    time.sleep(0.5)  # promoted once the partner acknowledged the new key
new = SigningKey.objects.get(status="current").key_id
if RETIRE:  # the grace period over: the previous key retired, and the partner told
    SigningKey.objects.filter(status="previous").update(retire_after=SigningKey.objects.get(key_id=new).activated_at)
    services.retire_previous_signing_keys()
print(json.dumps([old, new, SigningKey.objects.get(key_id=old).status]))
"""


def scenario_rotation(pair, args):
    """us, then cn, rotate their signing keys while us takes orders; then both retire the previous
    key (the grace period cut short): no message may be refused."""
    since = dt.datetime.now(dt.UTC)
    with traffic(pair, "rotate") as orders:
        time.sleep(5)
        keys = [shell_json(instance, f"RETIRE = {retire}\n" + ROTATE)
                for retire in (False, True) for instance in (pair.us, pair.cn)]  # fmt: skip
        time.sleep(5)
    drained = wait_drained(pair, 600)
    resent = sum(resent_since(instance, since) for instance in (pair.us, pair.cn))
    rejected = sum(psql_one(i, "SELECT count(*) FROM crossborder_outboxmessage WHERE status = 'rejected'")
                   for i in (pair.us, pair.cn))  # fmt: skip
    pair.figure(
        "rotation: us then cn rotate their keys twice under orders, the second time retiring the previous key",
        f"{resent} messages refused or sent again, {rejected} rejected",
        f"{orders.summary()}; keys {', '.join(f'{old} -> {new} ({status})' for old, new, status in keys)}; "
        f"drained {drained:.0f} s after the last order",
    )
    if resent or rejected or orders.server_errors:
        pair.failures.append(f"rotation: {resent} resent, {rejected} rejected, {orders.summary()}")
    check(pair, "rotation")


def deadlocks(instance):
    time.sleep(1)  # PostgreSQL publishes its statistics within a second
    return psql_one(instance, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")


def scenario_opposite(pair, args):
    """BUYERS buyers at once, CONCURRENCY at a time, each ordering one of each of two goods of UNITS
    units, half in one order of lines and half in the other: cn's own goods on cn, then cn's goods in
    us's zone."""
    import requests

    for name, instance, recipient, items in (
        ("own goods (cn)", pair.cn, CN_RECIPIENT, [{"sku": "CN-PAIRA", "quantity": 1}, {"sku": "CN-PAIRB", "quantity": 1}]),
        ("partner goods (us's zone of cn)", pair.us, US_RECIPIENT,
         [{"listing": pair.listings[f"CN-ZPAIR{x}"][0], "quantity": 1} for x in "AB"]),
    ):  # fmt: skip
        total, _ = total_for(instance, items, recipient)
        before = deadlocks(instance)

        def buy(n, instance=instance, recipient=recipient, items=items, total=total):
            body = {"items": items[:: 1 if n % 2 else -1], "recipient": recipient, "expected_total": total,
                    "email": f"pair{n}@example.com", "phone": f"+1 206 555 {n:04d}"}  # fmt: skip
            headers = {"X-Forwarded-For": f"10.3.{n >> 8}.{n & 255}"}
            try:
                return requests.post(
                    instance.base_url + "/api/shop/v1/orders/", json=body, headers=headers, timeout=60
                ).status_code
            except requests.RequestException as exc:
                return type(exc).__name__

        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            answers = list(pool.map(buy, range(args.buyers)))
        elapsed = time.perf_counter() - started
        statuses = {status: answers.count(status) for status in set(answers)}
        found = deadlocks(instance) - before
        left = shell_json(instance, STOCK_LEFT)
        ok = statuses.get(201) == args.units and set(statuses) <= {201, 409} and not found and set(left.values()) == {0}
        pair.figure(
            f"opposite: {args.buyers} buyers of two goods of {args.units} units each, lines in opposite orders, {name}",
            f"{statuses.get(201, 0)} orders, {found} deadlocks",
            f"answers {dict(sorted(statuses.items(), key=str))}, sellable left {left}, {elapsed:.1f} s"
            f"{'' if ok else ' FAILED'}",
        )
        if not ok:
            pair.failures.append(f"opposite {name}: {statuses}, {found} deadlocks, left {left}")
    check(pair, "opposite")


STOCK_LEFT = """
import json
from django.conf import settings
from catalog.models import ProductVariant
from partner_zone.models import PartnerListing
if settings.PLATFORM_CODE == "cn":
    print(json.dumps({v.sku: v.stock for v in ProductVariant.objects.filter(sku__in=["CN-PAIRA", "CN-PAIRB"])}))
else:
    print(json.dumps({l.variants[0]["sku"]: l.direct_stock for l in PartnerListing.objects.all()
                      if l.variants[0]["sku"] in ("CN-ZPAIRA", "CN-ZPAIRB")}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--down-seconds", type=int, default=150, help="how long the partner is down")
    parser.add_argument("--broker-seconds", type=int, default=60, help="how long the broker is unreachable")
    parser.add_argument("--lost-replies", type=int, default=20, help="partner replies dropped after it applied")
    parser.add_argument("--beat-seconds", type=int, default=60, help="how long two beats run")
    parser.add_argument("--skew", type=int, default=120, help="seconds the partner's clock is behind")
    parser.add_argument("--skew-seconds", type=int, default=60, help="how long the partner's clock is off")
    parser.add_argument("--orders", type=int, default=10_000, help="orders forwarded in the outbox scenario")
    parser.add_argument("--crash-orders", type=int, default=300, help="the backlog the crashed worker was draining")
    parser.add_argument("--buyers", type=int, default=500)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50, help="flash-sale buyers at a time")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections in the load scenario")
    parser.add_argument("--seconds", type=int, default=20, help="wrk duration of each load run")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers per instance")
    parser.add_argument("--postgres", default="postgres://root@127.0.0.1:5432", help="the PostgreSQL server")
    parser.add_argument("--database-prefix", default="cb_bench_resilience")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--redis-dbs", default="14,15", help="two Redis database numbers, the brokers of cn and us")
    args = parser.parse_args(argv)
    scenarios = list(dict.fromkeys(args.scenarios or SCENARIOS))
    scenarios = [name for s in scenarios for name in (FAULTS if s == "faults" else (s,))]
    if set(scenarios) - set(SCENARIOS + FAULTS):
        parser.error(f"scenarios: {', '.join(SCENARIOS + FAULTS)} (faults: all of {', '.join(FAULTS)})")
    if "outbox" not in scenarios:
        args.orders = 0
    tmp = Path(tempfile.mkdtemp(prefix="bench-resilience-"))
    pair = None
    try:
        pair = start_pair(args, tmp)
        log()
        log(f"| scenario | figure | detail | ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
        log("|---|---|---|")
        for scenario in scenarios:
            globals()[f"scenario_{scenario}"](pair, args)
    finally:
        if pair is not None:
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda i: i.stop(), (pair.cn, pair.us)))
        if pair is None or not pair.failures:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"logs kept in {tmp}")
    if pair.failures:
        log("FAILED: " + "; ".join(pair.failures))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
