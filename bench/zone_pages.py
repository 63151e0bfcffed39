"""Benchmark: the partner zone's pages on the real stack with 100,000 mirrored listings.

Targets (issue 5): p95 under 50 ms, and requests/s at least 0.3 of a trivial Django view's
(/health/live/, no database) served the same way.

What it does: uses the importer database of bench/zone_sync.py (cb_bench_zone: the instance
bench-partner, a US platform, with the `cn` exporter's 100,000 offers mirrored and priced in its zone
/zone/cn/ by a real full sync over HTTP). Without --reuse it first runs bench/zone_sync.py to make it
(which needs cb_bench; a few minutes). It starts gunicorn for the importer as bench/catalog_pages.py
starts the cn storefront (the Dockerfile's shape: CROSSBORDER_ENV=production so DEBUG is off, sync
workers, default 2 x cores + 1; no CACHES setting, so Django's per-process LocMemCache;
DATABASE_CONN_MAX_AGE unset, so the settings' default for production), times the first request of each
page, warms every page up (--warmup seconds each), then runs wrk on loopback against each path for
--duration seconds (--connections, --threads), with the baseline before and after every page (a page's
ratio is to the mean of those two runs), and each page again over one connection (--alone seconds).

    .venv/bin/python bench/zone_pages.py --reuse            # after bench/zone_sync.py
    .venv/bin/python bench/zone_pages.py                    # runs bench/zone_sync.py first
    .venv/bin/python bench/zone_pages.py --reuse --explain  # each page's queries, EXPLAIN ANALYZE
    .venv/bin/python bench/zone_pages.py --reuse --profile  # cProfile of each page in this process

Pages: the zone landing /zone/cn/ (campaign, top categories with counts, newest listings), the zone
category whose page lists the most listings (its whole subtree), an English zone search (--en-query)
and a Chinese one (--zh-query). The importer's default language is English (no prefix); Chinese is
under /zh-hans/. wrk sends no cookies, so every request is a new visitor: a zone search then also
stores a new session and the search in the shopper's history (partner_zone recommendations), as
for any first visit; --returning sends one shopper's session cookie with every request instead. Needs wrk. Not a test: the machine is shared; read the ratio, not the rate."""

import argparse
import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    ZONE_DATABASE_URL,
    BenchInstance,
    database_name,
    free_port,
    importer_spec,
    log,
    production_env,
    setup_django,
)
from bench.catalog_pages import (  # noqa: E402
    WRK_SCRIPT,
    Page,
    add_load_arguments,
    explain_pages,
    first_request,
    load_pages,
    report,
    shopper_session,
)
from scripts.instances import CN  # noqa: E402

TARGET_P95_MS = 50.0
TARGET_RATIO = 0.3
BASELINE = "/health/live/"
ZONE = CN.code


def pick_pages(en_query, zh_query, listings):
    """The landing, the zone category listing the most (its subtree), and the two searches."""
    from urllib.parse import urlencode

    from django.db.models import Count
    from django.urls import reverse
    from django.utils import translation

    from catalog.models import Category
    from catalog.taxonomy import SEPARATOR
    from partner_zone import selectors

    partnership = selectors.zone_partnership(ZONE)
    shown = selectors.zone_listings(partnership)
    have = shown.count()
    if have < listings:
        raise SystemExit(
            f"the zone {ZONE} shows {have:,} listings, fewer than {listings:,}: run bench/zone_sync.py "
            "(or this script without --reuse)"
        )
    per_category = dict(shown.order_by().values("category_id").annotate(n=Count("id")).values_list("category_id", "n"))
    paths = dict(Category.objects.filter(pk__in=per_category).values_list("pk", "path_en"))
    totals = {}
    for node in Category.objects.all():
        prefix = node.path_en + SEPARATOR
        totals[node.pk] = sum(n for pk, n in per_category.items() if pk == node.pk or paths[pk].startswith(prefix))
    biggest = max(totals, key=totals.get)
    name = Category.objects.get(pk=biggest).path_en
    with translation.override("en"):
        landing = reverse("partner_zone:landing", args=[ZONE])
        category = reverse("partner_zone:category", args=[ZONE, biggest])
        en_search = reverse("partner_zone:search", args=[ZONE]) + "?" + urlencode({"q": en_query})
    with translation.override("zh-hans"):
        zh_search = reverse("partner_zone:search", args=[ZONE]) + "?" + urlencode({"q": zh_query})
    en_hits = selectors.search_scope(partnership, en_query).count()
    zh_hits = selectors.search_scope(partnership, zh_query).count()
    return [
        Page("baseline (trivial view)", BASELINE, "no database", baseline=True),
        Page("zone landing", landing, f"{have:,} listings shown in the zone"),
        Page("zone category", category, f"{name}: {totals[biggest]:,} listings"),
        Page(f"zone search en '{en_query}'", en_search, f"{en_hits:,} matches"),
        Page(f"zone search zh '{zh_query}'", zh_search, f"{zh_hits:,} matches; en is the default language"),
    ]


def vacuum(url, mode):
    """After a sync: `plain` does what autovacuum would (this bench server runs with autovacuum off; a
    full sync leaves three dead row versions per listing: insert, search vector, price, and every zone
    query would read through them), `full` also compacts the table (VACUUM FULL: the table as if written
    once), `none` measures it as the sync left it."""
    stats = (
        "SELECT n_live_tup || ' live, ' || n_dead_tup || ' dead row versions, ' || "
        "pg_size_pretty(pg_relation_size(relid)) FROM pg_stat_user_tables WHERE relname = 'partner_zone_partnerlisting'"
    )

    def value(sql):
        return subprocess.run(["psql", url, "-tAc", sql], check=True, capture_output=True, text=True).stdout.strip()

    before = value(stats)
    if mode == "none":
        log(f"listings table: {before}; not vacuumed (autovacuum: {value('SHOW autovacuum')})")
        return
    started = time.perf_counter()
    value(f"VACUUM ({'FULL, ' if mode == 'full' else ''}ANALYZE) partner_zone_partnerlisting")
    value("ANALYZE")
    log(
        f"listings table: {before}; VACUUM ({mode}) ANALYZE in {time.perf_counter() - started:.1f} s -> "
        f"{value(stats)} (autovacuum: {value('SHOW autovacuum')})"
    )


def profile_pages(pages, *, repeat, top):
    """Each page rendered `repeat` times in this process (Django test client, warm cache) under
    cProfile: where the time goes, by own time and by cumulative time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for page in pages:
        if page.baseline:
            continue
        client.get(page.path)  # warm: caches, imports, first connection
        profiler = cProfile.Profile()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            profiler.enable()
            for _ in range(repeat):
                response = client.get(page.path)
            profiler.disable()
            elapsed = (time.perf_counter() - started) * 1000 / repeat
        db_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000 / repeat
        log(
            f"\n{page.label}: HTTP {response.status_code}, {elapsed:.1f} ms per request under the profiler, "
            f"{len(captured.captured_queries) / repeat:.0f} queries, {db_ms:.1f} ms in the database"
        )
        for sort in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats(top)
            lines = [line for line in out.getvalue().splitlines() if line.strip()]
            start = next(i for i, line in enumerate(lines) if "ncalls" in line)
            log(f"  by {sort}:")
            for line in lines[start : start + top + 1]:
                log("    " + line)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=ZONE_DATABASE_URL, help="the importer's database")
    parser.add_argument("--exporter-url", default=DEFAULT_DATABASE_URL, help="for zone_sync.py without --reuse")
    parser.add_argument("--reuse", action="store_true", help="measure the importer database zone_sync.py left")
    parser.add_argument("--listings", type=int, default=100_000, help="listings the zone must show")
    add_load_arguments(parser)
    parser.add_argument("--profile", action="store_true", help="cProfile each page in this process, no load")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page under --profile")
    parser.add_argument("--top", type=int, default=25, help="functions listed per page under --profile")
    parser.add_argument(
        "--vacuum",
        choices=("plain", "full", "none"),
        default="plain",
        help="before measuring: VACUUM ANALYZE the listings (plain, as autovacuum would), also compact them "
        "(full), or measure them as the sync left them (none)",
    )
    args = parser.parse_args(argv)
    if not (args.explain or args.profile) and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if not args.reuse:
        log("making the importer database with bench/zone_sync.py")
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "zone_sync.py")]
            + ["--exporter-url", args.exporter_url, "--importer-url", args.database_url],
            cwd=ROOT,
            check=True,
        )

    data_dir = Path(tempfile.mkdtemp(prefix="bench-zone-pages-"))
    extra_env = production_env(data_dir)
    if args.conn_max_age is not None:
        extra_env["DATABASE_CONN_MAX_AGE"] = str(args.conn_max_age)
    instance = BenchInstance(
        importer_spec(free_port()), data_dir, database_url=args.database_url, extra_env=extra_env, workers=args.workers
    )
    try:
        return measure(args, instance, data_dir, extra_env)
    finally:
        instance.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(args, instance, data_dir, extra_env):
    instance.manage("migrate", "--noinput", "-v0")
    instance.manage("collectstatic", "--noinput", "-v0")
    vacuum(args.database_url, args.vacuum)
    setup_django(instance.env())
    pages = pick_pages(args.en_query, args.zh_query, args.listings)
    if args.only:
        pages = [page for page in pages if page.baseline or args.only in page.label]
    for page in pages:
        log(f"{page.label:32} {page.path}  ({page.note})")
    if args.explain:
        explain_pages(pages, top=6)
        return
    if args.profile:
        profile_pages(pages, repeat=args.repeat, top=args.top)
        return
    from django.conf import settings
    from django.db import connection

    conn_max_age = settings.DATABASES["default"]["CONN_MAX_AGE"]
    connection.close()

    script = data_dir / "p95.lua"
    script.write_text(WRK_SCRIPT)
    try:
        instance.start(worker=False, beat=False)
        instance.wait_ready()
        log(
            f"\ngunicorn at {instance.base_url} ({database_name(args.database_url)}): {args.workers} sync workers, "
            f"production settings, connections kept {conn_max_age} s (DATABASE_CONN_MAX_AGE="
            f"{extra_env.get('DATABASE_CONN_MAX_AGE', 'unset: the default')}), "
            f"cache: Django default LocMemCache (per worker); wrk -t{args.threads} -c{args.connections} "
            f"-d{args.duration}s on {os.cpu_count()} cores shared with PostgreSQL and wrk; load average "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        headers = ()
        if args.returning:
            # A returning shopper: the session (and search history) a first search gave them.
            headers = (f"Cookie: {shopper_session(instance.base_url, pages)}",)
            log("  every request carries one returning shopper's session cookie")
        cold = {page.path: first_request(instance.base_url, page) for page in pages}
        for page in pages:
            if cold[page.path][1] != 200:
                raise SystemExit(f"{page.path}: HTTP {cold[page.path][1]}")
        results, alone = load_pages(instance.base_url, pages, args, script, headers)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        instance.stop()

    return 0 if report(results, alone, cold, note=f"; load average at the end {load}") else 1


if __name__ == "__main__":
    sys.exit(main())
