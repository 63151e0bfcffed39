"""Listing pages under random filters, sorts and pages (issue 20): the home catalog's category page
and the partner zone's, each on a cache miss, on a cache hit, and right after a catalog change.

Target (issue 20): every storefront and zone listing page, any combination of the filters and sorts
it offers and any page up to the last, at 100,000 listings: on a cache miss p95 < 50 ms and
requests/s >= 0.1 x the trivial view's; with the cache >= 0.6.

What it does, for one site (`--site catalog`: the `cn` instance on the bench catalog that
bench/generate_catalog.py filled; `--site zone`: the importer of bench/zone_sync.py, its zone of
cn; `--site both`: one after the other, each in its own process):

1. Draws `--urls` random listing URLs: a category (half of them among the biggest top-level ones),
   then each filter the page offers with some probability (catalog: in stock, a price range drawn
   from the listings' price quantiles, one of the category's ten biggest brands, a country of
   origin; zone: a price range, "ships from our local warehouse"), a sort, and a page: 1 (half),
   2-10, or any page up to the last of the unfiltered category (a page past the last of a narrower
   combination is served as its last page, so the last pages are drawn too).
2. Serves the site with gunicorn as deployed (5 sync workers, production settings, the shared Redis
   cache as docker-compose.yml configures it; `--cache locmem` for each process's memory) and loads
   it with wrk (-t2 -c8 by default), the trivial view `/health/live/` before and after each run:
   - **miss**: every request a URL the cache has never seen (the drawn URLs, each with a unique
     extra parameter the pages ignore: the page is built from the database every time);
   - **hit**: `--hot` of the drawn URLs, cycled, after a warm-up that cached them;
   - **after a change**: the same hot URLs right after one listing's change moved the catalog's (or
     zone's) generation, as a sync that changes anything does: no warm-up, so the run starts with
     every page missing and measures how fast the cache refills under load;
   - **alone**: the miss run over one connection (a request's own latency, no queueing).
3. Prints each run's req/s, p50/p95/p99 and its ratio to the mean of the baseline runs around it,
   next to the target.

    .venv/bin/python bench/listing_mix.py --site both \\
        --database-url postgres://root@127.0.0.1:5432/cb_bench \\
        --zone-database-url postgres://root@127.0.0.1:5432/cb_bench_zone

The machine is shared: read the ratios, not the milliseconds."""

import argparse
import dataclasses
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    WRK_SUMMARY_LUA,
    ZONE_DATABASE_URL,
    BenchInstance,
    default_workers,
    free_port,
    importer_spec,
    log,
    production_env,
    setup_django,
)
from bench.catalog_pages import run_wrk  # noqa: E402
from scripts.instances import CN  # noqa: E402

TARGET_P95_MS = 50.0
TARGET_MISS_RATIO = 0.1
TARGET_HIT_RATIO = 0.6
BASELINE = "/health/live/"
PAGE_SIZE = 24

# Requests the drawn paths in turn (each wrk thread from its own place in the list); with `unique`
# each path gets a parameter no page reads and no request repeats, so every one is a cache miss.
WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local unique = %(unique)s
local counter = 0
local thread_id = 0
local started = 0
function setup(thread)
  thread:set("thread_id", started)
  started = started + 1
end
function init(args)
  counter = thread_id * 7919
end
function request()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  if unique then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "r=" .. thread_id .. "-" .. counter .. "-" .. os.time()
  end
  return wrk.format("GET", path)
end
""" + WRK_SUMMARY_LUA.replace("%", "%%")

BASELINE_SCRIPT = WRK_SUMMARY_LUA


# --- what to request -----------------------------------------------------------------------------


def subtree_totals(per_category):
    """Listings per category counting its whole subtree."""
    from catalog.models import Category
    from catalog.taxonomy import SEPARATOR

    paths = dict(Category.objects.filter(pk__in=per_category).values_list("pk", "path_en"))
    totals = {}
    for node in Category.objects.all():
        prefix = node.path_en + SEPARATOR
        total = sum(n for pk, n in per_category.items() if pk == node.pk or paths[pk].startswith(prefix))
        if total:
            totals[node.pk] = (node.depth, total)
    return totals


def price_points(queryset):
    """The listings' price at every 5th percentile (one ordered read of the prices)."""
    prices = sorted(float(p) for p in queryset.values_list("price", flat=True) if p is not None)
    return [prices[min(len(prices) - 1, int(len(prices) * q / 20))] for q in range(1, 20)]


def draw_category(rng, totals):
    big = sorted((pk for pk, (depth, _n) in totals.items() if depth == 0), key=lambda pk: -totals[pk][1])[:4]
    return rng.choice(big) if big and rng.random() < 0.5 else rng.choice(sorted(totals))


def draw_page(rng, total):
    last = max(1, math.ceil(total / PAGE_SIZE))
    roll = rng.random()
    if roll < 0.5:
        return 1
    if roll < 0.8:
        return rng.randint(2, min(10, last)) if last >= 2 else 1
    return rng.randint(1, last)


def draw_price(rng, points, params):
    low, high = sorted(rng.sample(points, 2))
    shape = rng.random()
    if shape < 0.4:
        params["price_min"], params["price_max"] = f"{low:.0f}", f"{high:.0f}"
    elif shape < 0.7:
        params["price_min"] = f"{low:.0f}"
    else:
        params["price_max"] = f"{high:.0f}"


def catalog_urls(rng, count):
    from urllib.parse import urlencode

    from django.db.models import Count
    from django.urls import reverse
    from django.utils import translation

    from catalog import selectors
    from catalog.models import Product

    active = Product.objects.filter(status=Product.Status.ACTIVE)
    per_category = dict(active.order_by().values("category_id").annotate(n=Count("id")).values_list("category_id", "n"))
    totals = subtree_totals(per_category)
    points = price_points(active)
    countries = list(
        active.order_by()
        .values("country_of_origin")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("country_of_origin", flat=True)[:8]
    )
    brands = {}
    urls = []
    with translation.override("en"):
        for _ in range(count):
            category = draw_category(rng, totals)
            if category not in brands:
                brands[category] = list(
                    selectors.category_scope(selectors.category_tree(category))
                    .exclude(brand="")
                    .order_by()
                    .values("brand")
                    .annotate(n=Count("id"))
                    .order_by("-n")
                    .values_list("brand", flat=True)[:10]
                )
            params = {}
            if rng.random() < 0.5:
                params["in_stock"] = "1"
            if rng.random() < 0.3:
                draw_price(rng, points, params)
            if brands[category] and rng.random() < 0.25:
                params["brand"] = rng.choice(brands[category])
            if countries and rng.random() < 0.15:
                params["country"] = rng.choice(countries)
            params["sort"] = rng.choice(["newest", "price", "-price"])
            params["page"] = draw_page(rng, totals[category][1])
            urls.append(reverse("catalog:category", args=[category]) + "?" + urlencode(params))
    return urls, f"{active.count():,} products on sale, {len(totals)} categories with products"


def zone_urls(rng, count):
    from urllib.parse import urlencode

    from django.db.models import Count
    from django.urls import reverse
    from django.utils import translation

    from partner_zone import selectors

    partnership = selectors.zone_partnership(CN.code)
    shown = selectors.zone_listings(partnership)
    per_category = dict(shown.order_by().values("category_id").annotate(n=Count("id")).values_list("category_id", "n"))
    totals = subtree_totals(per_category)
    points = price_points(shown)
    urls = []
    with translation.override("en"):
        for _ in range(count):
            category = draw_category(rng, totals)
            params = {}
            if rng.random() < 0.3:
                draw_price(rng, points, params)
            if rng.random() < 0.3:
                params["local"] = "on"
            params["sort"] = rng.choice(["newest", "price", "-price"])
            params["page"] = draw_page(rng, totals[category][1])
            urls.append(reverse("partner_zone:category", args=[CN.code, category]) + "?" + urlencode(params))
    return urls, f"{shown.count():,} listings shown in the zone {CN.code}, {len(totals)} categories with listings"


def touch(site):
    """What a sync (or a merchant's edit) does to the pages' caches: one listing changes, so the
    generation in every page's cache key moves."""
    from django.db import connection

    table = "catalog_product" if site == "catalog" else "partner_zone_partnerlisting"
    condition = "status = 'active'" if site == "catalog" else "is_active AND price IS NOT NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET updated_at = now() WHERE id = (SELECT id FROM {table} WHERE {condition} "  # noqa: S608
            "ORDER BY id LIMIT 1)"
        )


# --- measuring -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    label: str
    figures: dict
    baseline_rps: float = 0.0
    target_ratio: float = 0.0


def measure_site(args):
    data_dir = Path(tempfile.mkdtemp(prefix="bench-mix-"))
    env = production_env(data_dir)
    if args.cache == "redis":
        env["CROSSBORDER_CACHE_URL"] = args.redis_url
    if args.site == "catalog":
        spec, url = dataclasses.replace(CN, port=free_port()), args.database_url
    else:
        spec, url = importer_spec(free_port()), args.zone_database_url
    instance = BenchInstance(spec, data_dir, database_url=url, extra_env=env, workers=args.workers)
    try:
        instance.manage("collectstatic", "--noinput", "-v0")
        setup_django(instance.env())
        rng = random.Random(args.seed)
        urls, note = (catalog_urls if args.site == "catalog" else zone_urls)(rng, args.urls)
        log(f"{args.site}: {note}; {len(urls)} URLs drawn (seed {args.seed}), e.g.")
        for url_ in urls[:5]:
            log(f"  {url_}")
        from django.db import connection

        connection.close()
        all_paths = data_dir / "all.txt"
        all_paths.write_text("\n".join(urls) + "\n")
        hot = urls[: args.hot]
        hot_paths = data_dir / "hot.txt"
        hot_paths.write_text("\n".join(hot) + "\n")
        scripts = {}
        for name, paths, unique in (("miss", all_paths, "true"), ("hot", hot_paths, "false")):
            scripts[name] = data_dir / f"{name}.lua"
            scripts[name].write_text(WRK_SCRIPT % {"paths": paths, "unique": unique})
        scripts["baseline"] = data_dir / "baseline.lua"
        scripts["baseline"].write_text(BASELINE_SCRIPT)
        if args.cache == "redis":
            subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], check=True, capture_output=True)
        instance.start(worker=False, beat=False)
        instance.wait_ready()
        base = instance.base_url
        load = {"connections": args.connections, "threads": args.threads}
        log(
            f"gunicorn at {base}: {args.workers} sync workers, production settings, cache: {args.cache}; "
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
        )
        for path in hot:  # every page once: imports, trees and connections warm in some workers
            run_wrk(base, path, seconds=1, connections=1, threads=1, script=scripts["baseline"])
        runs = []

        def baseline():
            figures = run_wrk(base, BASELINE, seconds=args.duration, script=scripts["baseline"], **load)
            log(f"  baseline: {figures['rps']:,.0f} req/s, p95 {figures['p95_us'] / 1000:.1f} ms")
            return figures["rps"]

        def page_run(label, script, target, seconds=None, connections=None, threads=None):
            figures = run_wrk(
                base,
                "/",
                seconds=seconds or args.duration,
                script=script,
                connections=connections or args.connections,
                threads=threads or args.threads,
            )
            log(
                f"  {label}: {figures['rps']:,.0f} req/s, p95 {figures['p95_us'] / 1000:.1f} ms"
                + (f", {figures['non2xx']} non-2xx" if figures["non2xx"] else "")
                + (f", {figures['errors']} socket errors" if figures["errors"] else "")
            )
            run = Run(label, figures, target_ratio=target)
            runs.append(run)
            return run

        before = baseline()
        miss = page_run("cache miss (random URLs)", scripts["miss"], TARGET_MISS_RATIO)
        middle = baseline()
        miss.baseline_rps = (before + middle) / 2
        run_wrk(base, "/", seconds=args.warmup, script=scripts["hot"], **load)  # fill the cache
        hit = page_run(f"cache hit ({len(hot)} URLs cycled)", scripts["hot"], TARGET_HIT_RATIO)
        after_hit = baseline()
        hit.baseline_rps = (middle + after_hit) / 2
        touch(args.site)
        connection.close()
        changed = page_run("right after a change (same URLs, cold)", scripts["hot"], TARGET_HIT_RATIO)
        last = baseline()
        changed.baseline_rps = (after_hit + last) / 2
        if args.alone:
            alone = page_run(
                "cache miss, 1 connection", scripts["miss"], 0, seconds=args.alone, connections=1, threads=1
            )
            alone.baseline_rps = last
    finally:
        instance.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return report(args.site, runs)


def report(site, runs):
    log(
        f"\n{site}: target p95 < {TARGET_P95_MS:.0f} ms; req/s >= {TARGET_MISS_RATIO} x baseline on a miss, "
        f">= {TARGET_HIT_RATIO} with the cache (ratio: to the mean of the baseline runs around the run)"
    )
    header = f"{'run':42} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'ratio':>6}  target"
    log(header)
    log("-" * len(header))
    met_all = True
    rows = []
    for run in runs:
        f = run.figures
        ratio = f["rps"] / run.baseline_rps if run.baseline_rps else 0
        p95 = f["p95_us"] / 1000
        met = p95 < TARGET_P95_MS and ratio >= run.target_ratio and not f["non2xx"]
        if run.target_ratio:
            met_all = met_all and met
        verdict = ("yes" if met else "NO") if run.target_ratio else "-"
        log(
            f"{run.label:42} {f['rps']:7,.0f} {f['p50_us'] / 1000:7.1f} {p95:7.1f} {f['p99_us'] / 1000:7.1f} "
            f"{ratio:6.2f}  {verdict}"
        )
        rows.append({"run": run.label, "rps": round(f["rps"]), "p95_ms": p95, "ratio": round(ratio, 3)})
    log("JSON " + json.dumps({"site": site, "runs": rows}))
    return met_all


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", choices=["catalog", "zone", "both"], default="both")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="the cn bench catalog")
    parser.add_argument("--zone-database-url", default=ZONE_DATABASE_URL, help="the importer of zone_sync.py")
    parser.add_argument("--urls", type=int, default=2000, help="random URLs to draw")
    parser.add_argument("--hot", type=int, default=50, help="of which the cache-hit runs cycle over")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--alone", type=int, default=5, help="seconds of the miss run over one connection (0: skip)")
    parser.add_argument("--cache", choices=["redis", "locmem"], default="redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7", help="flushed before each site")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if args.site != "both":
        return 0 if measure_site(args) else 1
    status = 0
    for site in ("catalog", "zone"):
        argv_site = [*(argv if argv is not None else sys.argv[1:]), "--site", site]
        status |= subprocess.run([sys.executable, __file__, *argv_site], check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
