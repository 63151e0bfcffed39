"""Where a listing page's cache miss spends its time, in one process (issue 20): the URLs
bench/listing_mix.py draws, each requested once through Django's test client with a parameter no
page reads (a miss), with production settings and the process's own memory as the cache. Prints
the mean and p95 of a request's wall time, its share in the database, and the trivial view's
(`/health/live/`) time in the same process, whose ratio is what the wrk runs' ratio can reach at
best; with --profile, the functions that take the most time under cProfile.

    .venv/bin/python bench/listing_profile.py --site zone --requests 300
    .venv/bin/python bench/listing_profile.py --site catalog --requests 300 --profile 40
    .venv/bin/python bench/listing_profile.py --site zone --hit    # the same for cache hits

The machine is shared: read the ratio to the trivial view, not the milliseconds."""

import argparse
import cProfile
import dataclasses
import pstats
import random
import re
import statistics
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
    free_port,
    importer_spec,
    production_env,
    setup_django,
)
from bench.listing_mix import catalog_urls, zone_urls  # noqa: E402
from scripts.instances import CN  # noqa: E402

QUERIES = []  # (seconds, sql, params) of every query timed


def slowest_queries(count, requests):
    """The statements that took the most time in all, by their text (parameters aside), and the
    slowest single run of each with its parameters, for EXPLAIN ANALYZE."""
    totals = {}
    for took, sql, params in QUERIES:
        entry = totals.setdefault(re.sub(r"IN \((%s, )*%s\)", "IN (...)", sql), [0.0, 0, (0.0, None)])
        entry[0] += took
        entry[1] += 1
        if took > entry[2][0]:
            entry[2] = (took, params)
    ranked = sorted(totals.items(), key=lambda item: -item[1][0])[:count]
    for sql, (total, runs, (worst, params)) in ranked:
        print(
            f"\n{total * 1000 / requests:7.2f} ms a request, {runs} runs, slowest {worst * 1000:.1f} ms"
            f"\n  {' '.join(sql.split())[:600]}\n  slowest with {params!r:.400}",
            flush=True,
        )


def timed(client, paths):
    """Wall time of each request (ms) and the database's share of all of them."""
    from django.db import connection

    spent = {"database": 0.0}

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            spent["database"] += took
            QUERIES.append((took, sql, params))

    walls = []
    with connection.execute_wrapper(clock):
        for path in paths:
            started = time.perf_counter()
            response = client.get(path)
            walls.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
    return walls, spent["database"] * 1000


def unique(paths, tag):
    return [f"{path}{'&' if '?' in path else '?'}r={tag}-{n}" for n, path in enumerate(paths)]


def summary(label, walls, database=None):
    walls = sorted(walls)
    p95 = walls[min(len(walls) - 1, int(len(walls) * 0.95))]
    mean, median = statistics.fmean(walls), statistics.median(walls)
    line = f"{label}: {len(walls)} requests, mean {mean:.2f} ms, p50 {median:.2f}, p95 {p95:.2f}"
    if database is not None:
        line += f"; database {database / len(walls):.2f} ms a request"
    print(line, flush=True)
    return mean, median


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", choices=["catalog", "zone"], default="zone")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="the cn bench catalog")
    parser.add_argument("--zone-database-url", default=ZONE_DATABASE_URL, help="the importer of zone_sync.py")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--hit", action="store_true", help="request each URL twice, time the second (a hit)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="then the N costliest functions")
    parser.add_argument("--queries", type=int, default=0, metavar="N", help="the N statements costliest in all")
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    env = {**production_env(data_dir), "CROSSBORDER_CACHE_URL": ""}
    if args.site == "catalog":
        spec, url = dataclasses.replace(CN, port=free_port()), args.database_url
    else:
        spec, url = importer_spec(free_port()), args.zone_database_url
    instance = BenchInstance(spec, data_dir, database_url=url, extra_env=env)
    instance.manage("collectstatic", "--noinput", "-v0")
    setup_django(instance.env())
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    rng = random.Random(args.seed)
    paths, note = (catalog_urls if args.site == "catalog" else zone_urls)(rng, args.requests)
    print(f"{args.site}: {note}", flush=True)
    client = Client()
    timed(client, ["/health/live/"] * 50 + unique(paths[:20], "warm"))  # imports, trees, connection
    baseline = summary("trivial view", timed(client, ["/health/live/"] * 500)[0])
    pages = unique(paths, time.time_ns())
    if args.hit:
        timed(client, pages)
    QUERIES.clear()
    walls, database = timed(client, pages)
    mean, median = summary("cache hit" if args.hit else "cache miss", walls, database)
    if args.queries:
        slowest_queries(args.queries, len(pages))
    print(
        f"ratio of the trivial view's time to a page's (in one process): {baseline[0] / mean:.3f} by the means, "
        f"{baseline[1] / median:.3f} by the medians",
        flush=True,
    )
    if args.profile:
        pages = unique(paths, time.time_ns())
        if args.hit:
            timed(client, pages)
        profiler = cProfile.Profile()
        profiler.enable()
        for path in pages:
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
