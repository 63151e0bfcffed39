"""Benchmark of issue 20: repricing 100,000 partner listings after a rate change, under 20 s.

Creates (afresh each run) a PostgreSQL database, migrates it (the shipped duty and rounding rules come
with the migrations), adds exchange rates and one partnership, and writes N active listings in SQL,
varied the way a partner's catalog is: export prices in USD, EUR, JPY (no minor unit) and KWD (three
decimals), HS codes of several duty rules, goods shipping directly or from the local warehouse. Then it
changes the EUR rates (a new ECB day) and times, next to the target:

- baseline: one UPDATE per batch of the reprice's size setting every listing's priced_at (an indexed
  column, so no row is updated in place, as the reprice's rows are not), so the ratio reads past the machine's load;
- reprice: `pricing.reprice_affected(currencies={"EUR"})`, what the ECB import runs after a new rate
  file: every active listing priced again in Python and written in batches;
- check: 1,000 random listings priced again one by one with `pricing.landed_price` and compared with
  what the reprice stored (price, list price, breakdown).

    .venv/bin/python bench/repricing.py [--listings 100000] [--database-url postgres://...] [--profile]
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import log, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/cb_bench_repricing"
TARGET_SECONDS = 20.0
FEES = {
    "fx_margin": "0.02",
    "duties_included": "1",
    "zone_fee_per_item": "5",
    "shipping_local_per_item": "8",
    "shipping_direct_per_item": "30",
}


def setup(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")
    os.environ.setdefault("CROSSBORDER_DATA_DIR", tempfile.mkdtemp(prefix="bench-repricing-"))
    os.environ["CROSSBORDER_OUTBOX_RELAY_ON_COMMIT"] = "false"
    os.environ.setdefault("CROSSBORDER_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rates(at):
    from crossborder.models import ExchangeRate

    for quote, value in (("CNY", "7.8"), ("USD", "1.08"), ("JPY", "161.2"), ("KWD", "0.332")):
        ExchangeRate.objects.create(base="EUR", quote=quote, rate=Decimal(value), as_of=at)


def generate(listings):
    """One listing through the ORM, then N-1 copies of it in SQL with varied prices and rules."""
    import uuid

    from django.db import connection
    from django.utils import timezone
    from djmoney.money import Money

    from crossborder.models import Partner, Partnership
    from partner_zone.models import PartnerListing

    partner = Partner.objects.create(
        code="us", name="Trailhead Goods", country="US", currency="USD", languages=["en"], base_url="http://us.invalid"
    )
    partnership = Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="USD",
        commission_rate="0.0800",
        settlement_cutoff=dt.time(23, 0),
        fee_schedule=FEES,
    )
    texts = {"en": {"title": "Baby bottle", "description": "BPA free"}, "zh-hans": {"title": "婴儿奶瓶"}}
    PartnerListing.objects.create(
        partnership=partnership,
        reference=uuid.uuid4(),
        version=1,
        changed_at=timezone.now(),
        is_active=True,
        merchant_code="trailhead",
        merchant_name="Trailhead Outfitters",
        category_id=561,
        brand="Acme",
        original_language="en",
        texts=texts,
        title="Baby bottle",
        title_language="en",
        hs_code="392410",
        weight_grams=250,
        dimensions_mm={"length": 180, "width": 70, "height": 70},
        country_of_origin="US",
        export_price=Money(Decimal("20.00"), "USD"),
        direct_stock=50,
        variants=[{"sku": "US-SKU-0", "attributes": {}, "is_active": True}],
        images=["http://us.invalid/media/products/0.jpg"],
        ships_from=PartnerListing.ShipsFrom.DIRECT,
        search_document="Acme Baby bottle",
    )
    table = PartnerListing._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        columns = [name for (name,) in cursor.fetchall() if name != "id"]
        varied = {
            "reference": "gen_random_uuid()",
            "export_price_currency": "(ARRAY['USD','USD','USD','EUR','JPY','KWD'])[1 + i %% 6]",
            "export_price": "CASE (ARRAY['USD','USD','USD','EUR','JPY','KWD'])[1 + i %% 6]"
            " WHEN 'JPY' THEN (300 + (i * 37) %% 40000)::numeric"
            " WHEN 'KWD' THEN (1 + (i * 7919) %% 90000 / 1000.0)::numeric(20, 3)"
            " ELSE (1 + (i * 7919) %% 50000 / 100.0)::numeric(20, 2) END",
            "hs_code": "(ARRAY['392410','330499','610910','851712','950300','420222'])[1 + (i / 6) %% 6]",
            "ships_from": "CASE WHEN i %% 5 = 0 THEN 'local' ELSE 'direct' END",
            "title": "'Baby bottle ' || i",
        }
        selected = ", ".join(varied.get(name, name) for name in columns)
        names = ", ".join(columns)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {selected} FROM {table}, generate_series(1, %s) AS i",  # noqa: S608
            [listings - 1],
        )
        cursor.execute(f"VACUUM ANALYZE {table}")
    return partnership


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--check", type=int, default=1000, help="listings priced again one by one and compared")
    parser.add_argument("--profile", action="store_true", help="profile the reprice (pyinstrument or cProfile)")
    args = parser.parse_args(argv)
    log(f"database {args.database_url} (recreated), {args.listings:,} listings")
    recreate_database(args.database_url)
    setup(args.database_url)

    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from crossborder.models import ExchangeRate
    from partner_zone.models import PartnerListing
    from partner_zone.services import pricing

    now = timezone.now()
    rates(now - dt.timedelta(days=1))
    started = time.perf_counter()
    partnership = generate(args.listings)
    log(f"generated {PartnerListing.objects.count():,} listings in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    pricing.reprice_all(partnership=partnership)  # priced once, as the sync leaves them
    log(f"first pricing in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {PartnerListing._meta.db_table}")

    # A new ECB day: every EUR rate moves, every listing's price with it.
    for quote, value in (("CNY", "7.9"), ("USD", "1.09"), ("JPY", "163.4"), ("KWD", "0.335")):
        ExchangeRate.objects.create(base="EUR", quote=quote, rate=Decimal(value), as_of=now)

    table = PartnerListing._meta.db_table

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE is_active ORDER BY id")  # noqa: S608
            ids = [pk for (pk,) in cursor.fetchall()]
        for start in range(0, len(ids), pricing.REPRICE_BATCH):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET priced_at = %s WHERE id = ANY(%s)",  # noqa: S608
                    [timezone.now(), ids[start : start + pricing.REPRICE_BATCH]],
                )
        return len(ids)

    started = time.perf_counter()
    baseline()
    base = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {table}")

    def reprice():
        return pricing.reprice_affected(currencies={"EUR"})

    profiler = None
    if args.profile:
        try:
            import pyinstrument

            profiler = pyinstrument.Profiler()
            profiler.start()
        except ImportError:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
    started = time.perf_counter()
    count = reprice()
    repricing = time.perf_counter() - started
    if profiler is not None:
        if hasattr(profiler, "output_text"):
            profiler.stop()
            log(profiler.output_text(unicode=False, color=False, show_all=False))
        else:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)

    unpriced = PartnerListing.objects.filter(price__isnull=True).count()
    ids = list(PartnerListing.objects.values_list("pk", flat=True))
    sample = random.Random(20).sample(ids, min(args.check, len(ids)))
    context = pricing.PricingContext.load(sample, currencies={"USD", "EUR", "JPY", "KWD"})
    differ = 0
    for listing in PartnerListing.objects.filter(pk__in=sample).select_related("partnership"):
        list_price, price, landed = pricing.landed_price(listing, context)
        if (listing.price, listing.list_price, listing.price_breakdown) != (price, list_price, landed.as_dict()):
            differ += 1
    by_currency = dict(PartnerListing.objects.order_by().values_list("export_price_currency").annotate(n=Count("pk")))

    log("")
    log("| step | seconds | target |")
    log("|---|---|---|")
    log(f"| baseline: UPDATE of the {args.listings:,} listings' priced_at, batches of {pricing.REPRICE_BATCH:,} "
        f"| {base:.2f} | |")  # fmt: skip
    log(
        f"| **reprice after a rate change: {count:,} listings** | **{repricing:.2f}** | under "
        f"{TARGET_SECONDS:.0f}: {'OK' if repricing < TARGET_SECONDS else 'over'} |"
    )
    log(f"| reprice / baseline | {repricing / base:.1f}x | |")
    log("")
    log(f"export currencies {by_currency}; {unpriced} without a price; "
        f"{differ} of {len(sample)} re-priced one by one differ from the stored price")  # fmt: skip
    return 0 if repricing < TARGET_SECONDS and not differ else 1


if __name__ == "__main__":
    sys.exit(main())
