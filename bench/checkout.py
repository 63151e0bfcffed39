"""Benchmark of issue 6: checkout through HTTP, target at least 100 orders/s on this machine, with no
oversell.

Creates (afresh each run) a PostgreSQL database and a `cn` instance served by gunicorn with the
production settings (bench/_common.py), one own product with STOCK units in the home warehouse, and
then lets BUYERS shoppers (CONCURRENCY at a time, each its own session) go through the storefront's
checkout, either through the shop API in one request (--mode api, the default: what an app or a
headless storefront does) or through the storefront's pages as a browser does (--mode pages), five
requests each:

    GET the product page (session, CSRF token) -> POST /cart/add/ -> POST /checkout/ (address, contact)
    -> GET /checkout/<ref>/ (the locked quote, its total) -> POST /checkout/<ref>/place/ (that total)

There are more buyers than units, so the last ones must be refused "out of stock" at checkout.
It prints orders/s (placed orders over the wall time of the run), checkouts/s, request latency
percentiles, and the oversell check: orders placed == units sold <= STOCK, and no stock level below
zero. Next to it, the requests/s of the trivial /health/live/ view under the same concurrency, for
the ratio (the machine is shared: read the ratio, not the rate).

    .venv/bin/python bench/checkout.py [--buyers 1200] [--stock 1000] [--concurrency 16] [--workers N, default: the Dockerfile's]

With `--generator wrk` (issue 20: the Python client tops out near 900 requests/s on the trivial view,
so it cannot measure a few hundred orders/s) wrk sends the shop API's order requests from a Lua
script for --duration seconds on --concurrency connections, every request a new buyer (its own
e-mail) of one of the products in turn; the trivial view is loaded by wrk the same way before and
after, and the orders/s are given as a ratio to it. With more stock than the run can sell, the rate
is the placed orders over the run; with less, the run proves the sell-out (orders == units).

    .venv/bin/python bench/checkout.py --generator wrk --stock 200000 --duration 15
"""

import argparse
import dataclasses
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    BenchInstance,
    free_port,
    log,
    production_env,
    recreate_database,
    setup_django,
)
from scripts.instances import CN  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/cb_bench_checkout"
TARGET_ORDERS_PER_SECOND = 100.0
TARGET_ORDERS_PER_SECOND_WRK = 250.0  # issue 20, measured by wrk
SKU = "BENCH-BOTTLE-240"


def sku_of(n):
    return f"{SKU}-{n}"


EXPECTED_TOTAL = "99.00"  # 89.00 and 10.00 shipping per order
TOTAL = re.compile(r'name="total" value="([0-9.]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def deployed_workers():
    """The number of gunicorn workers the Dockerfile runs: the bench measures the deployment."""
    found = re.search(r'"--workers", "(\d+)"', (ROOT / "Dockerfile").read_text())
    return int(found.group(1)) if found else 3


def fill(instance, stock, skus):
    """`skus` own products sharing `stock` units, counted into the home warehouse before the load."""
    instance.manage(
        "ensure_warehouse", "--code", "sha-1", "--name", "Shanghai 1", "--country", "CN", "--operator", "us",
        "--address", "1018 Changning Road, Shanghai",
    )  # fmt: skip
    from djmoney.money import Money

    from catalog import services

    merchant = services.create_merchant(name="Bench Baby", slug="bench-baby")
    paths = []
    for n in range(skus):
        product = services.save_product(
            merchant=merchant,
            data=services.ProductInput(
                code=f"BOTTLE-{n}",
                category_id=564,
                original_language="zh-hans",
                country_of_origin="CN",
                hs_code="392410",
                weight_grams=180,
                texts={"zh-hans": (f"宽口径奶瓶 240毫升 {n}", ""), "en": (f"Wide-neck bottle 240 ml {n}", "")},
                variants=[
                    services.VariantInput(
                        sku=sku_of(n), price=Money(Decimal("89.00"), "CNY"), stock=stock // skus + (n < stock % skus)
                    )
                ],
            ),
        )
        paths.append(f"/p/{product.reference}/")  # the stated stock is counted in sha-1 at once
    return paths


@dataclasses.dataclass
class Outcome:
    placed: bool = False
    refused: str = ""
    error: str = ""
    latencies: list = dataclasses.field(default_factory=list)
    steps: list = dataclasses.field(default_factory=list)


def buy(base_url, product_paths, index):
    product_path = product_paths[index % len(product_paths)]
    sku = sku_of(index % len(product_paths))
    import requests

    outcome = Outcome()
    session = requests.Session()
    # Production settings: secure cookies and HTTPS behind a proxy. On loopback HTTP the client says
    # it came through the TLS proxy (X-Forwarded-Proto) and sends the cookies back itself.
    jar = {}
    secure = base_url.replace("http://", "https://", 1)

    def call(method, path, headers=None, step="", **kwargs):
        headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        started = time.perf_counter()
        response = session.request(
            method, base_url + path, allow_redirects=False, timeout=30, cookies=jar, headers=headers, **kwargs
        )
        outcome.latencies.append(time.perf_counter() - started)
        outcome.steps.append((step or f"{method} {path}", time.perf_counter() - started))
        jar.update(response.cookies.get_dict())
        return response

    try:
        page = call("GET", product_path, step="1 GET product page")  # the product page with its "add to cart" form
        token = CSRF.search(page.text).group(1)
        headers = {"Referer": secure + product_path}
        added = call(
            "POST",
            "/cart/add/",
            step="2 POST cart/add",
            data={"csrfmiddlewaretoken": token, "sku": sku, "quantity": "1"},
            headers=headers,
        )
        if added.status_code != 302:
            outcome.error = f"add {added.status_code}"
            return outcome
        started = call(
            "POST",
            "/checkout/",
            step="3 POST checkout (quote, hold stock)",
            data={
                "csrfmiddlewaretoken": token,
                "name": f"买家{index}",
                "phone": "13800138000",
                "address": "长宁路 1018 号",
                "city": "上海",
                "postcode": "200050",
                "country": "CN",
                "email": f"buyer{index}@example.com",
            },
            headers=headers,
        )
        if started.status_code == 400:
            outcome.refused = "checkout"
            return outcome
        if started.status_code != 302:
            outcome.error = f"checkout {started.status_code}"
            return outcome
        quote_path = started.headers["Location"].replace(secure, "")
        quote = call("GET", quote_path, step="4 GET quote")
        total = TOTAL.search(quote.text)
        if total is None:
            outcome.error = "no total on the quote"
            return outcome
        placed = call(
            "POST",
            quote_path.rstrip("/") + "/place/",
            step="5 POST place order",
            data={"csrfmiddlewaretoken": token, "total": total.group(1)},
            headers=headers,
        )
        if placed.status_code == 302:
            outcome.placed = True
        elif placed.status_code in (400, 409):
            outcome.refused = "place"
        else:
            outcome.error = f"place {placed.status_code}"
    except Exception as exc:  # noqa: BLE001 - a bench counts what went wrong
        outcome.error = f"{type(exc).__name__}: {exc}"
    return outcome


def buy_by_api(base_url, product_paths, index):
    """One request: POST /api/shop/v1/orders/ with the item, address, contact and expected total."""
    import requests

    outcome = Outcome()
    body = {
        "items": [{"sku": sku_of(index % len(product_paths)), "quantity": 1}],
        "recipient": {
            "name": f"买家{index}",
            "address_lines": ["长宁路 1018 号"],
            "country_area": "上海市",
            "city": "长宁区",
            "postcode": "200050",
            "country": "CN",
        },
        "email": f"buyer{index}@example.com",
        "phone": "13800138000",
        "expected_total": EXPECTED_TOTAL,
    }
    started = time.perf_counter()
    try:
        response = requests.post(
            base_url + "/api/shop/v1/orders/", json=body, headers={"X-Forwarded-Proto": "https"}, timeout=30
        )
    except Exception as exc:  # noqa: BLE001 - a bench counts what went wrong
        outcome.error = f"{type(exc).__name__}: {exc}"
        return outcome
    outcome.latencies.append(time.perf_counter() - started)
    outcome.steps.append(("POST /api/shop/v1/orders/", outcome.latencies[-1]))
    if response.status_code == 201:
        outcome.placed = True
    elif response.status_code in (400, 409):
        outcome.refused = response.json().get("code", "refused")
    else:
        outcome.error = f"api {response.status_code}"
    return outcome


WRK_ORDERS = """
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  placed, refused, other, n = 0, 0, 0, 0
end
function request()
  n = n + 1
  local buyer = id * 100000000 + n
  -- Every buyer a different shopper, as in a real crowd: their own e-mail, phone and address (the
  -- per-shopper unpaid limits serialize one shopper's checkouts, not the crowd's).
  local ip = string.format("10.%d.%d.%d", math.floor(buyer / 65536) % 256, math.floor(buyer / 256) % 256, buyer % 256)
  local body = string.format(
    '{"items":[{"sku":"%s-%d","quantity":1}],' ..
    '"recipient":{"name":"买家%d","address_lines":["长宁路 1018 号"],"country_area":"上海市",' ..
    '"city":"长宁区","postcode":"200050","country":"CN"},' ..
    '"email":"buyer%d@example.com","phone":"13%09d","expected_total":"%s"}',
    "__SKU__", buyer % __SKUS__, buyer, buyer, buyer % 1000000000, "__TOTAL__")
  return wrk.format("POST", "/api/shop/v1/orders/",
    {["Content-Type"] = "application/json", ["X-Forwarded-Proto"] = "https", ["X-Forwarded-For"] = ip}, body)
end
function response(status, headers, body)
  if status == 201 then placed = placed + 1
  elseif status == 400 or status == 409 then refused = refused + 1
  else other = other + 1 end
  if status ~= 201 and not shown then
    shown = true
    io.write("first refusal: ", status, " ", body, "\\n")
  end
end
function done(summary, latency, requests)
  local p, r, o = 0, 0, 0
  for _, t in ipairs(threads) do
    p = p + t:get("placed"); r = r + t:get("refused"); o = o + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d placed=%d refused=%d other=%d errors=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    p, r, o, e.connect + e.read + e.write + e.timeout))
end
"""
WRK_TRIVIAL = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d placed=0 refused=0 " ..
    "other=%d errors=%d\\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def run_wrk(url, script_text, *, seconds, connections, directory):
    script = Path(directory) / "load.lua"
    script.write_text(script_text)
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"^BENCH (.*)$", out, re.MULTILINE)
    if match is None:
        raise SystemExit(f"wrk gave no figures:\n{out}")
    for line in re.findall(r"^first refusal: .*$", out, re.MULTILINE)[:2]:
        log(line[:300])
    figures = {key: int(value) for key, value in (item.split("=") for item in match.group(1).split())}
    figures["seconds"] = figures["duration_us"] / 1e6
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def wrk_checkout(args, base_url, directory):
    """The trivial view, the orders, the trivial view again: all by wrk, in this order."""
    load = {"connections": args.concurrency, "directory": directory}
    before = run_wrk(base_url + "/health/live/", WRK_TRIVIAL, seconds=5, **load)
    script = WRK_ORDERS.replace("__SKU__", SKU).replace("__SKUS__", str(args.skus))
    orders = run_wrk(
        base_url + "/api/shop/v1/orders/",
        script.replace("__TOTAL__", EXPECTED_TOTAL),
        seconds=args.duration,
        **load,
    )
    after = run_wrk(base_url + "/health/live/", WRK_TRIVIAL, seconds=5, **load)
    return orders, (before["rps"] + after["rps"]) / 2


def wrk_report(args, orders, baseline):
    from django.db.models import F, Min, Sum

    from logistics.models import StockLevel
    from payments.models import Order

    count = Order.objects.count()
    levels = StockLevel.objects.filter(sku__startswith=SKU).aggregate(
        units=Sum("on_hand"), held=Sum("reserved"), lowest=Min("on_hand")
    )
    over_held = StockLevel.objects.filter(sku__startswith=SKU, reserved__gt=F("on_hand")).exists()
    # wrk stops counting at the end of its run; requests still under way then may still place their
    # order, so the database can hold a few more orders than wrk saw answered. Each order is one unit.
    oversold = count > args.stock or (levels["lowest"] or 0) < 0 or over_held or count != (levels["held"] or 0)
    rate = orders["placed"] / orders["seconds"]
    log("")
    log("| figure | value | target |")
    log("|---|---|---|")
    log(
        f"| **orders placed per second** (wrk, {args.concurrency} connections) | **{rate:.1f}** | at least "
        f"{TARGET_ORDERS_PER_SECOND_WRK:.0f}: {'OK' if rate >= TARGET_ORDERS_PER_SECOND_WRK else 'under'} |"
    )
    log(f"| trivial view by wrk, requests/s (mean of before and after) | {baseline:.0f} | |")
    log(f"| **orders/s over trivial requests/s** | **{rate / baseline:.3f}** | |")
    log(f"| order request latency p50 / p95 / p99, ms | {orders['p50_us'] / 1000:.0f} / "
        f"{orders['p95_us'] / 1000:.0f} / {orders['p99_us'] / 1000:.0f} | |")  # fmt: skip
    log(
        f"| requests / placed / refused out of stock / other status / socket errors | {orders['requests']} / "
        f"{orders['placed']} / {orders['refused']} / {orders['other']} / {orders['errors']} | |"
    )
    log(
        f"| oversell check: orders {count} (answered within the run {orders['placed']}), stock {args.stock}, "
        f"on hand {levels['units']}, held {levels['held']} "
        f"| {'none' if not oversold else 'OVERSOLD'} | none |"
    )
    if oversold:
        return 2
    return 0 if rate >= TARGET_ORDERS_PER_SECOND_WRK else 1


def trivial_rate(base_url, concurrency, seconds=5.0):
    import requests

    done = []
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def loop():
        session = requests.Session()
        count = 0
        while time.perf_counter() < stop:
            session.get(base_url + "/health/live/", timeout=10)
            count += 1
        with lock:
            done.append(count)

    started = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--buyers", type=int, default=1200)
    parser.add_argument("--stock", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--skus", type=int, default=20, help="products the buyers spread over (1: one hot SKU)")
    parser.add_argument(
        "--workers", type=int, default=deployed_workers(), help="gunicorn sync workers (default: the Dockerfile's)"
    )
    parser.add_argument(
        "--mode",
        choices=["pages", "api"],
        default="api",
        help="api: one POST /api/shop/v1/orders/ per order (default); pages: the storefront's five requests",
    )
    parser.add_argument(
        "--generator",
        choices=["python", "wrk"],
        default="python",
        help="who sends the load: this script's threads, or wrk (--mode api only, for --duration seconds)",
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk load (--generator wrk)")
    args = parser.parse_args(argv)
    if args.generator == "wrk" and (args.mode != "api" or shutil.which("wrk") is None):
        raise SystemExit("--generator wrk needs --mode api and wrk (apt-get install -y wrk)")

    recreate_database(args.database_url)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-checkout-"))
    instance = BenchInstance(
        dataclasses.replace(CN, port=free_port()),
        data_dir,
        database_url=args.database_url,
        # Every bench buyer comes from this one address with one phone number: lift the per-client
        # rate and unpaid-hold limits (README, shop API) so the bench measures checkout alone.
        extra_env={
            **production_env(data_dir),
            "CROSSBORDER_SHOP_API_ORDER_RATE": "1000000/hour",
            "CROSSBORDER_MAX_UNPAID_ORDERS": "1000000",
            "CROSSBORDER_MAX_UNPAID_UNITS_PER_SKU": "1000000",
            # wrk's buyers each come from their own address (X-Forwarded-For, one proxy trusted).
            **({"CROSSBORDER_TRUSTED_PROXIES": "1"} if args.generator == "wrk" else {}),
        },
        workers=args.workers,
    )
    try:
        instance.manage("migrate", "--noinput", "-v0")
        instance.manage("bootstrap_platform")
        instance.manage("collectstatic", "--noinput", "-v0")
        setup_django(instance.env())
        product_paths = fill(instance, args.stock, args.skus)
        from django.db import connection

        connection.close()
        instance.start(worker=False, beat=False)
        instance.wait_ready()
        base_url = instance.base_url
        log(
            f"gunicorn at {base_url}: {args.workers} sync workers, production settings; "
            f"{f'wrk for {args.duration} s' if args.generator == 'wrk' else f'{args.buyers} buyers'} "
            f"for {args.stock} units of {args.skus} products, {args.concurrency} at a time, "
            f"{'one POST /api/shop/v1/orders/' if args.mode == 'api' else 'five storefront requests'} each"
        )
        if args.generator == "wrk":
            orders, baseline = wrk_checkout(args, base_url, data_dir)
            return wrk_report(args, orders, baseline)
        before = trivial_rate(base_url, args.concurrency)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            flow = buy_by_api if args.mode == "api" else buy
            outcomes = list(pool.map(lambda i: flow(base_url, product_paths, i), range(args.buyers)))
        elapsed = time.perf_counter() - started
        after = trivial_rate(base_url, args.concurrency)
        return report(args, outcomes, elapsed, (before + after) / 2)
    finally:
        instance.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def report(args, outcomes, elapsed, baseline):
    from django.db.models import F, Min, Sum

    from logistics.models import StockLevel
    from payments.models import Order

    placed = sum(o.placed for o in outcomes)
    refused = sum(bool(o.refused) for o in outcomes)
    errors = [o.error for o in outcomes if o.error]
    latencies = sorted(latency for o in outcomes for latency in o.latencies)
    requests_made = len(latencies)
    orders = Order.objects.count()
    levels = StockLevel.objects.filter(sku__startswith=SKU).aggregate(
        units=Sum("on_hand"), held=Sum("reserved"), lowest=Min("on_hand")
    )
    sold_or_held = levels["held"] or 0
    over_held = StockLevel.objects.filter(sku__startswith=SKU, reserved__gt=F("on_hand")).exists()
    oversold = orders > args.stock or (levels["lowest"] or 0) < 0 or over_held
    rate = placed / elapsed
    percentile = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99

    log("")
    log("| figure | value | target |")
    log("|---|---|---|")
    log(
        f"| **orders placed per second** | **{rate:.1f}** | at least {TARGET_ORDERS_PER_SECOND:.0f}: "
        f"{'OK' if rate >= TARGET_ORDERS_PER_SECOND else 'under'} |"
    )
    log(f"| buyers through checkout per second (placed or refused) | {(placed + refused) / elapsed:.1f} | |")
    log(f"| requests per second during checkout | {requests_made / elapsed:.0f} | |")
    log(f"| trivial view, requests per second (mean of before and after) | {baseline:.0f} | |")
    log(f"| checkout requests/s over trivial requests/s | {requests_made / elapsed / baseline:.2f} | |")
    log(f"| request latency p50 / p95 / p99, ms | {percentile[49] * 1000:.0f} / {percentile[94] * 1000:.0f} / "
        f"{percentile[98] * 1000:.0f} | |")  # fmt: skip
    log(f"| orders placed / refused out of stock / errors | {placed} / {refused} / {len(errors)} | |")
    log(
        f"| oversell check: orders {orders}, stock {args.stock}, on hand {levels['units']}, "
        f"held {sold_or_held} | {'none' if not oversold else 'OVERSOLD'} | none |"
    )
    steps = {}
    for o in outcomes:
        for name, seconds in o.steps:
            steps.setdefault(name, []).append(seconds)
    for name in sorted(steps):
        values = sorted(steps[name])
        log(f"| - {name}: median / p95 ms | {statistics.median(values) * 1000:.0f} / "
            f"{values[int(len(values) * 0.95) - 1] * 1000:.0f} | |")  # fmt: skip
    if errors:
        log(f"first errors: {errors[:5]}")
    if oversold or orders != placed:
        return 2
    return 0 if rate >= TARGET_ORDERS_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
