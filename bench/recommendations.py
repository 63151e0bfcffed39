"""Benchmark of issue 5: recommendations for a shopper with history, p95 under 30 ms with 100,000
partner listings and 1,000,000 recorded events (PostgreSQL).

Creates (afresh unless --reuse finds it filled) the database, migrates it, then fills it: one
ACTIVE partnership with N listings spread over the shared taxonomy (titles with the category's name
and a style word, search documents and tsvectors as the sync stores them), home products in half of
the categories (so "goods we don't carry" has branches to find), and M view and search events of
shoppers browsing a few interest categories each, loaded with COPY. Then it times, next to the
target, 200 recommendation calls for random shoppers with history (each recommender, and the
blend the pages show) against a baseline: one listing fetched by primary key, timed just before.
On a shared machine the baseline says how busy it was; --rounds repeats the timings.

    .venv/bin/python bench/recommendations.py [--listings 100000] [--events 1000000] [--reuse] [--rounds 1]
"""

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import log, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/cb_bench_reco"
TARGET_MS = 30.0
CALLS = 200
EVENTS_PER_SHOPPER = 20
STYLES = ("trail", "compact", "classic", "deluxe", "organic", "travel", "silicone", "bamboo", "pro", "mini")
ADJECTIVES = ("soft", "light", "sturdy", "bright", "quiet", "warm", "smart", "slim")


def setup(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")
    os.environ.setdefault("CROSSBORDER_DATA_DIR", tempfile.mkdtemp(prefix="bench-reco-"))
    os.environ.setdefault("CROSSBORDER_LOG_LEVEL", "WARNING")
    # As production: the catalog generation read at most every 2 s per process (the home catalog's
    # capped counts are kept with it); the ranking cache stays off (RECOMMENDATION_SECONDS 0), so
    # every call ranks.
    os.environ.setdefault("CROSSBORDER_CATALOG_GENERATION_SECONDS", "2")
    os.environ.setdefault("DJANGO_DEBUG", "false")  # production's (no query log on every cursor)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def copy_rows(table, columns, rows):
    """COPY rows (tuples; None is NULL) into a table: the fast path for a million events."""
    from django.db import connection

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v).replace("\t", " ") for v in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.connection.cursor().copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def generate(rng, listings, events):
    import datetime as dt
    from decimal import Decimal

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone
    from djmoney.money import Money

    from catalog import search
    from catalog.models import Category, Merchant, Product
    from crossborder.models import Partner, Partnership
    from partner_zone.models import PartnerListing, ShopperEvent

    now = timezone.now()
    currency = settings.PLATFORM_CURRENCY
    partner = Partner.objects.create(
        code="bu", name="Bench partner", country="US", currency="USD", base_url="http://bench.invalid"
    )
    partnership = Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="USD",
        commission_rate="0.08",
        settlement_cutoff=dt.time(23),
    )
    categories = list(Category.objects.filter(depth__gte=1).order_by("id").values_list("id", "name_en"))
    weights = [1 / (rank + 1) ** 0.5 for rank in range(len(categories))]
    rng.shuffle(weights)

    started = time.perf_counter()
    by_category = {}
    batch = []
    for n in range(listings):
        category_id, name = rng.choices(categories, weights=weights)[0]
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(STYLES)} {name.lower()} {n}"
        batch.append(
            PartnerListing(
                partnership=partnership,
                reference=uuid.UUID(int=rng.getrandbits(128), version=4),
                version=1,
                changed_at=now - dt.timedelta(minutes=rng.randrange(500_000)),
                category_id=category_id,
                brand="Bench",
                original_language="en",
                texts={"en": {"title": title, "description": ""}},
                title=title,
                title_language="en",
                hs_code="392410",
                weight_grams=250,
                country_of_origin="US",
                export_price=Money(Decimal("20.00"), "USD"),
                price=Money(Decimal("149.00"), currency),
                search_document=search.document("Bench", titles=[title]),
            )
        )
        if len(batch) == 5000:
            PartnerListing.objects.bulk_create(batch)
            batch = []
    PartnerListing.objects.bulk_create(batch)
    log(f"  {listings:,} listings in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    PartnerListing.objects.update(search_vector=search.weighted_vector())
    log(f"  their tsvectors in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    merchant = Merchant.objects.create(name="Bench merchant", slug="bench")
    covered = [pk for pk, _name in categories[::2]]
    Product.objects.bulk_create(
        [
            Product(
                merchant=merchant,
                code=f"P{n}",
                category_id=covered[n % len(covered)],
                original_language="en",
                country_of_origin="CN",
                hs_code="392410",
                weight_grams=100,
                status=Product.Status.ACTIVE,
            )
            for n in range(20_000)
        ],
        batch_size=5000,
    )
    log(f"  20,000 home products in half of the categories in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    rows = list(PartnerListing.objects.values_list("id", "category_id", "title"))
    for pk, category_id, title in rows:
        by_category.setdefault(category_id, []).append((pk, title))
    used = sorted(by_category)
    used_weights = [len(by_category[c]) for c in used]
    shoppers = max(1, events // EVENTS_PER_SHOPPER)
    written = 0
    table = ShopperEvent._meta.db_table
    columns = ("kind", "session_key", "user_id", "listing_id", "product_id", "category_id", "query", "created_at")
    chunk = []
    for shopper in range(shoppers):
        interests = rng.choices(used, weights=used_weights, k=rng.randint(1, 3))
        moment = now - dt.timedelta(days=rng.uniform(0, 170))
        for _e in range(EVENTS_PER_SHOPPER):
            moment += dt.timedelta(seconds=rng.randint(5, 600))
            category_id = rng.choice(interests) if rng.random() < 0.85 else rng.choices(used, weights=used_weights)[0]
            items = by_category[category_id]
            pk, title = items[min(int(rng.paretovariate(1.2)) - 1, len(items) - 1)]
            if rng.random() < 0.15:
                query = " ".join(title.split()[1:3])
                chunk.append(("search", f"bench-{shopper}", None, None, None, None, query, moment.isoformat()))
            else:
                chunk.append(("view", f"bench-{shopper}", None, pk, None, category_id, "", moment.isoformat()))
        if len(chunk) >= 100_000:
            copy_rows(table, columns, chunk)
            written += len(chunk)
            chunk = []
    copy_rows(table, columns, chunk)
    written += len(chunk)
    log(f"  {written:,} events of {shoppers:,} shoppers (COPY) in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return shoppers


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(calls):
    durations = []
    for call in calls:
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations), percentile(durations, 95)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1, help="time everything this many times")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    if not args.reuse:
        recreate_database(args.database_url)
    setup(args.database_url)

    from django.core.cache import cache
    from django.db import connection, reset_queries

    from partner_zone.models import PartnerListing, ShopperEvent
    from partner_zone.services import recommendations as reco

    if args.reuse and PartnerListing.objects.exists():
        shoppers = ShopperEvent.objects.values("session_key").distinct().count()
        log(
            f"reusing {args.database_url}: {PartnerListing.objects.count():,} listings, {ShopperEvent.objects.count():,} events"
        )
    else:
        log(f"filling {args.database_url}")
        shoppers = generate(rng, args.listings, args.events)

    cache.clear()
    started = time.perf_counter()
    reco.popularity(refresh=True)
    log(f"popularity aggregate (cached {reco.POPULARITY_SECONDS} s, off the request path): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms")  # fmt: skip
    reco.taxonomy()

    who = [reco.Shopper(history_id=f"bench-{rng.randrange(shoppers)}") for _n in range(CALLS)]
    pks = list(PartnerListing.objects.values_list("id", flat=True)[:50_000])
    picks = [rng.choice(pks) for _n in range(CALLS)]
    for shopper in who[:20]:  # warm the connection and the plan cache
        reco.recommend(shopper)

    for round_number in range(1, args.rounds + 1):
        if args.rounds > 1:
            log(f"\nround {round_number} of {args.rounds}")
        base50, base95 = timed([lambda pk=pk: PartnerListing.objects.get(pk=pk) for pk in picks])
        log(f"\n{'call':<44} {'p50 ms':>8} {'p95 ms':>8}  target")
        log(f"{'baseline: one listing by primary key':<44} {base50:>8.2f} {base95:>8.2f}")
        for kind in ("all", "similar", "not_carried"):
            p50, p95 = timed([lambda s=s, k=kind: reco.recommend(s, k) for s in who])
            verdict = "OK" if p95 < TARGET_MS else "MISSED"
            log(f"{'recommend(' + kind + '), 10 items':<44} {p50:>8.2f} {p95:>8.2f}  < {TARGET_MS:.0f}: {verdict}"
                f" ({p95 / base95:.0f}x the pk fetch)")  # fmt: skip
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for kind in ("all", "similar", "not_carried"):
        with CaptureQueriesContext(connection) as queries:
            reco.recommend(who[0], kind)
        counts[kind] = len(queries.captured_queries)
    log("\nqueries per call: " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))
    reset_queries()


if __name__ == "__main__":
    main()
