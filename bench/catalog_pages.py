"""Benchmark: the storefront's category and search pages on the real stack with 100,000 products.

Targets (issue 3): p95 under 50 ms, and requests/s at least 0.3 of a trivial Django view's
(/health/live/, no database) served the same way.

What it does: (re)creates the PostgreSQL database cb_bench (--reuse keeps it), migrates it, fills
it with bench/generate_catalog.py up to --products products on sale (all offered to the partner
bench-partner, for bench/catalog_feed.py), collects static files and starts gunicorn for the `cn`
instance as the Dockerfile deploys it (CROSSBORDER_ENV=production so DEBUG is off; sync workers,
default 2 x cores + 1; no CACHES setting, so Django's per-process LocMemCache; DATABASE_CONN_MAX_AGE
unset, so production's default: each worker keeps its connection for 60 s). It times the first request of each page (cold
facet cache in that worker), warms every page up (--warmup seconds each, which fills every worker's
facet cache), then runs wrk on loopback against each path for --duration seconds (--connections,
--threads) and prints requests/s, p50, p95, p99, the ratio to the baseline and the verdict, and
then each page again over one connection (--alone seconds: the page's own latency, no queueing). The
baseline runs before and after every page; a page's ratio is to the mean of those two runs. The
figures are warm-cache ones.

    .venv/bin/python bench/catalog_pages.py            # first run: creates and fills cb_bench
    .venv/bin/python bench/catalog_pages.py --reuse    # later runs
    .venv/bin/python bench/catalog_pages.py --reuse --explain   # queries of each page, EXPLAIN ANALYZE

Pages: the category whose page lists the most products (its whole subtree), the same with its
biggest brand and the price sort, an English search (--en-query) and a Chinese one (--zh-query).
Paths come from the URL names in each language: the instance's default language has no prefix.
Needs wrk (apt-get install -y wrk). Not a test: the machine is shared; read the ratio, not the rate."""

import argparse
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    WRK_SUMMARY_LUA,
    BenchInstance,
    database_name,
    default_workers,
    free_port,
    log,
    production_env,
    server_url,
    setup_django,
)
from scripts.instances import CN  # noqa: E402

TARGET_P95_MS = 50.0
TARGET_RATIO = 0.3
BASELINE = "/health/live/"
PARTNER = "bench-partner"
WRK_SCRIPT = WRK_SUMMARY_LUA


# --- the database ------------------------------------------------------------------------------------


def psql(url, sql):
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True)


def prepare_database(url, *, reuse):
    name = database_name(url)
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"database name {name!r}: use lower-case letters, digits and _")
    exists = subprocess.run(
        ["psql", server_url(url), "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists and not reuse:
        log(f"dropping database {name}")
        psql(server_url(url), f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = ""
    if not exists:
        log(f"creating database {name}")
        psql(server_url(url), f'CREATE DATABASE "{name}"')


def fill(instance, products):
    """Top the bench catalog up to `products` products on sale."""
    from catalog.models import Product

    have = Product.objects.filter(status=Product.Status.ACTIVE, merchant__slug__startswith="bench-").count()
    if have >= products:
        log(f"{have:,} bench products on sale already")
        return
    from django.db import connection

    connection.close()
    log(f"{have:,} bench products on sale; generating {products - have:,} more")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate_catalog.py"), "--products", str(products - have)]
        + ["--offers-to", PARTNER],
        cwd=ROOT,
        env=instance.env(),
        check=True,
    )


# --- what to request ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Page:
    label: str
    path: str
    note: str = ""
    baseline: bool = False


def pick_pages(en_query, zh_query):
    """The biggest category page, the same filtered by its biggest brand and sorted by price, and
    the two searches; with how many products each lists."""
    from urllib.parse import urlencode

    from django.conf import settings
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import translation

    from catalog import selectors
    from catalog.models import Category, Product
    from catalog.taxonomy import SEPARATOR

    per_category = dict(
        Product.objects.filter(status=Product.Status.ACTIVE)
        .values("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    # A page lists its category's whole subtree: sum the used categories under each node.
    paths = dict(Category.objects.filter(pk__in=per_category).values_list("pk", "path_en"))
    totals = {}
    for node in Category.objects.all():
        prefix = node.path_en + SEPARATOR
        totals[node.pk] = sum(n for pk, n in per_category.items() if pk == node.pk or paths[pk].startswith(prefix))
    biggest = max(totals, key=totals.get)
    tree = selectors.category_tree(biggest)
    brand = (
        selectors.category_scope(tree)
        .exclude(brand="")
        .values("brand")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("brand", "n")
        .first()
    )
    english = "en"
    chinese = "zh-hans"
    with translation.override(english):
        category_path = reverse("catalog:category", args=[biggest])
        en_search = reverse("catalog:search") + "?" + urlencode({"q": en_query})
    with translation.override(chinese):
        zh_search = reverse("catalog:search") + "?" + urlencode({"q": zh_query})
    en_hits = selectors.search_scope(en_query).count()
    zh_hits = selectors.search_scope(zh_query).count()
    name = tree.category.path_en
    return [
        Page("baseline (trivial view)", BASELINE, "no database", baseline=True),
        Page("category", category_path, f"{name}: {totals[biggest]:,} products"),
        Page(
            "category + brand + price sort",
            category_path + "?" + urlencode({"brand": brand[0], "sort": "price"}),
            f"brand {brand[0]}: {brand[1]:,} products",
        ),
        Page(f"search en '{en_query}'", en_search, f"{en_hits:,} matches"),
        Page(f"search zh '{zh_query}'", zh_search, f"{zh_hits:,} matches; {settings.LANGUAGE_CODE} is the default"),
    ]


# --- measuring ---------------------------------------------------------------------------------------


def first_request(base_url, page):
    started = time.perf_counter()
    with urllib.request.urlopen(base_url + page.path, timeout=60) as response:  # noqa: S310 - loopback
        response.read()
        status = response.status
    return (time.perf_counter() - started) * 1000, status


def shopper_session(base_url, pages):
    """The cookies a shopper gets from their first search (which records it under the history id
    in its own cookie; a session cookie too, if the page made one)."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    search_page = next(page for page in pages if "search" in page.path)
    with opener.open(base_url + search_page.path, timeout=60) as response:
        response.read()
    # SESSION_COOKIE_NAME is <platform code>_sessionid; the history id is partner_zone's HISTORY_COOKIE.
    kept = [f"{c.name}={c.value}" for c in jar if c.name.endswith("sessionid") or c.name == "shopper_history"]
    if not kept:
        raise SystemExit("the search page set neither a history nor a session cookie")
    return "; ".join(kept)


def run_wrk(base_url, path, *, seconds, connections, threads, script, headers=(), timeout=30):
    """wrk's figures for one path. A request timeout well above wrk's default of 2 s, which would
    drop the slowest requests from the latency figures and count them as socket errors."""
    extra = [arg for header in headers for arg in ("-H", header)]
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{timeout}s", "--latency"]
        + [*extra, "-s", str(script), base_url + path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"^BENCH (.*)$", out, re.MULTILINE)
    if match is None:
        raise SystemExit(f"wrk gave no figures:\n{out}")
    figures = {key: int(value) for key, value in (item.split("=") for item in match.group(1).split())}
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def load_pages(base_url, pages, args, script, headers=()):
    """Warm every page up, then load each under wrk with the baseline before and after it (the
    machine is shared, so each page's ratio is taken against the baseline measured right around
    it), then each page over one connection (its own latency, without the queueing that several
    connections on two shared cores add). Returns ([(page, figures)...], {path: figures})."""
    load = {"connections": args.connections, "threads": args.threads, "script": script, "headers": headers}
    for page in pages:
        run_wrk(base_url, page.path, seconds=args.warmup, **load)
    results = []
    order = [pages[0]]
    for page in pages[1:]:
        order += [page, pages[0]]
    for page in order:
        figures = run_wrk(base_url, page.path, seconds=args.duration, **load)
        results.append((page, figures))
        log(
            f"  {page.label}: {figures['rps']:,.0f} req/s, p95 {figures['p95_us'] / 1000:.1f} ms"
            + (f", {figures['non2xx']} non-2xx" if figures["non2xx"] else "")
            + (f", {figures['errors']} socket errors" if figures["errors"] else "")
        )
    alone = {}
    if args.alone:
        for page in pages[1:]:
            alone[page.path] = run_wrk(
                base_url, page.path, seconds=args.alone, connections=1, threads=1, script=script, headers=headers
            )
    return results, alone


def report(results, alone, cold, *, note=""):
    """The table of figures next to the targets; True when every page meets them."""
    baselines = [figures["rps"] for page, figures in results if page.baseline]
    log(
        f"\nbaseline {BASELINE} runs: {', '.join(f'{rps:,.0f}' for rps in baselines)} req/s; each page's ratio "
        f"is to the mean of the baseline runs just before and after it{note}"
    )
    log(f"target: p95 < {TARGET_P95_MS:.0f} ms and req/s >= {TARGET_RATIO} x baseline (warm cache)\n")
    header = (
        f"{'page':32} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'ratio':>6} {'cold ms':>8} "
        f"{'1-conn p50/p95':>15}  target"
    )
    log(header)
    log("-" * len(header))
    met_all = True
    for index, (page, figures) in enumerate(results):
        if page.baseline and index:
            continue
        around = [results[i][1]["rps"] for i in (index - 1, index + 1) if 0 <= i < len(results)]
        baseline = sum(around) / len(around) if not page.baseline else figures["rps"]
        ratio = figures["rps"] / baseline
        p95 = figures["p95_us"] / 1000
        met = page.baseline or (p95 < TARGET_P95_MS and ratio >= TARGET_RATIO and not figures["non2xx"])
        met_all = met_all and met
        verdict = "-" if page.baseline else ("yes" if met else "NO")
        single = alone.get(page.path)
        single = f"{single['p50_us'] / 1000:.1f} / {single['p95_us'] / 1000:.1f}" if single else "-"
        log(
            f"{page.label:32} {figures['rps']:8,.0f} {figures['p50_us'] / 1000:7.1f} {p95:7.1f} "
            f"{figures['p99_us'] / 1000:7.1f} {ratio:6.2f} {cold[page.path][0]:8.0f} {single:>15}  {verdict}"
        )
    return met_all


def explain_pages(pages, top):
    """Render each page in this process, list its queries by time, EXPLAIN ANALYZE the slowest."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for page in pages:
        if page.baseline:
            continue
        for state in ("cold", "warm"):
            if state == "cold":
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(page.path)
                elapsed = (time.perf_counter() - started) * 1000
            queries = captured.captured_queries
            db_ms = sum(float(q["time"]) for q in queries) * 1000
            log(
                f"\n{page.label} ({state} cache): HTTP {response.status_code}, {elapsed:.1f} ms in this process, "
                f"{len(queries)} queries, {db_ms:.1f} ms in the database"
            )
            for query in sorted(queries, key=lambda q: -float(q["time"]))[:top]:
                log(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
            if state == "warm":
                continue
            for query in sorted(queries, key=lambda q: -float(q["time"]))[:2]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    plan = "\n".join("      " + row[0] for row in cursor.fetchall())
                log(f"  plan of the {float(query['time']) * 1000:.1f} ms query:\n{plan}")


def add_load_arguments(parser):
    """The options every page benchmark shares (bench/catalog_pages.py, bench/zone_pages.py)."""
    parser.add_argument("--workers", type=int, default=default_workers(), help="gunicorn sync workers")
    parser.add_argument("--duration", type=int, default=15, help="seconds per path")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per path")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--alone", type=int, default=5, help="seconds per page with one connection (0: skip)")
    parser.add_argument("--en-query", default="bottle")
    parser.add_argument("--zh-query", default="奶瓶")
    parser.add_argument("--conn-max-age", type=int, default=None, help="set DATABASE_CONN_MAX_AGE (default: unset)")
    parser.add_argument("--explain", action="store_true", help="print each page's queries and plans, no load")
    parser.add_argument("--only", default=None, help="run only the pages whose label contains this")
    parser.add_argument(
        "--returning",
        action="store_true",
        help="send one shopper's session cookie with every request (default: cookie-less first visits)",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the database (fill it up if short)")
    parser.add_argument("--products", type=int, default=100_000)
    add_load_arguments(parser)
    args = parser.parse_args(argv)
    if not args.explain and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    prepare_database(args.database_url, reuse=args.reuse or args.explain)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    extra_env = production_env(data_dir)
    if args.conn_max_age is not None:
        extra_env["DATABASE_CONN_MAX_AGE"] = str(args.conn_max_age)
    instance = BenchInstance(
        dataclasses.replace(CN, port=free_port()),
        data_dir,
        database_url=args.database_url,
        extra_env=extra_env,
        workers=args.workers,
    )
    try:
        return measure(args, instance, data_dir, extra_env)
    finally:
        instance.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(args, instance, data_dir, extra_env):
    instance.manage("migrate", "--noinput", "-v0")
    instance.manage("bootstrap_platform")
    instance.manage("collectstatic", "--noinput", "-v0")
    setup_django(instance.env())
    fill(instance, args.products)
    pages = pick_pages(args.en_query, args.zh_query)
    if args.only:
        pages = [page for page in pages if page.baseline or args.only in page.label]
    for page in pages:
        log(f"{page.label:32} {page.path}  ({page.note})")
    if args.explain:
        explain_pages(pages, top=6)
        return
    from django.db import connection

    connection.close()

    script = data_dir / "p95.lua"
    script.write_text(WRK_SCRIPT)
    try:
        instance.start(worker=False, beat=False)
        instance.wait_ready()
        log(
            f"\ngunicorn at {instance.base_url}: {args.workers} sync workers, production settings, "
            f"DATABASE_CONN_MAX_AGE={extra_env.get('DATABASE_CONN_MAX_AGE', 'unset (production default 60)')}, "
            f"cache: Django default LocMemCache (per worker); wrk -t{args.threads} -c{args.connections} "
            f"-d{args.duration}s on {os.cpu_count()} cores shared with PostgreSQL and wrk"
        )
        headers = ()
        if args.returning:
            # A returning shopper: the session (and search history) a first search gave them.
            headers = (f"Cookie: {shopper_session(instance.base_url, pages)}",)
            log("  every request carries one returning shopper's session cookie")
        cold = {}
        for page in pages:
            cold[page.path] = first_request(instance.base_url, page)
        for page in pages:
            if cold[page.path][1] != 200:
                raise SystemExit(f"{page.path}: HTTP {cold[page.path][1]}")
        results, alone = load_pages(instance.base_url, pages, args, script, headers)
    finally:
        instance.stop()

    return 0 if report(results, alone, cold) else 1


if __name__ == "__main__":
    sys.exit(main())
