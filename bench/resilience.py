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

After each scenario the "nothing lost" checks run on both instances: every ledger transaction
balances per currency; outbox created = delivered (sender) = acknowledged (the receiver's inbox,
once per seq); every stock level equals the sum of its movements and none is negative; the orders
us forwarded and the orders cn recorded are the same (reference, number, lines, export amounts).
Any failed check makes the exit status 2.

    .venv/bin/python bench/resilience.py [load flash outbox crash] [--orders 10000] [--buyers 500]
        [--units 50] [--redis redis://127.0.0.1:6379 --redis-dbs 14,15] [--database-prefix cb_bench_resilience]
"""

import argparse
import dataclasses
import datetime as dt
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


@dataclasses.dataclass
class Pair:
    cn: BenchInstance
    us: BenchInstance
    listings: dict
    paths: dict
    failures: list = dataclasses.field(default_factory=list)
    rows: list = dataclasses.field(default_factory=list)

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

    body = {"items": [item], "recipient": recipient, "email": "probe@example.com", "phone": "+1 206 555 0100",
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
    pair.figure(f"{scenario}: nothing lost", "OK" if not problems else "FAILED", summary)
    for problem in problems:
        log(f"  ! {problem}")
    pair.failures.extend(f"{scenario}: {p}" for p in problems)
    return cn, us


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
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
    if set(scenarios) - set(SCENARIOS):
        parser.error(f"scenarios: {', '.join(SCENARIOS)}")
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
