"""Benchmark of issue 4: the nightly inventory handoff for 100,000 consignment SKUs, under 30 s:
both sides, the importer building and queuing the reports and the exporter recording every part.

Creates (afresh each run) a PostgreSQL database, migrates it, and bulk-creates one partner's
consignment stock: N SKUs, each with two lots of different ages, receipt, reservation, pick and
shipment movements, and our OUTBOUND consignment of the same goods (both sides of the handoff live in
this one database; they never touch each other's rows). Then it times, next to the target:

- importer: build_reports alone, and send_handoff (build + store both reports + queue every part);
- exporter: record_sales_report and record_stock_report over every part the importer queued;
- the handoff: send_handoff + both recordings, against the target;
- baseline: a plain count of the lots and a bulk read of the levels, for a machine-independent ratio.

    .venv/bin/python bench/logistics_handoff.py [--skus 100000] [--database-url postgres://...]
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import log, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/cb_bench_logistics"
TARGET_SECONDS = 30.0
BATCH = 10_000


def setup(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")
    os.environ.setdefault("CROSSBORDER_DATA_DIR", tempfile.mkdtemp(prefix="bench-logistics-"))
    os.environ["CROSSBORDER_OUTBOX_RELAY_ON_COMMIT"] = "false"  # no broker here; the outbox rows are what we time
    os.environ.setdefault("CROSSBORDER_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(skus, now):
    """One partner's consignment stock of `skus` SKUs, with movements that add up to its counts."""
    from crossborder.models import Partner, Partnership
    from logistics.models import Consignment, ConsignmentLine, StockLevel, StockLot, StockMovement, Warehouse

    Kind = StockMovement.Kind
    partner = Partner.objects.create(
        code="bx", name="Bench Exporter", country="US", currency="USD", base_url="http://bench.invalid"
    )
    partnership = Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="USD",
        commission_rate="0.08",
        settlement_cutoff=dt.time(23),
        starts_on=(now - dt.timedelta(days=600)).date(),
    )
    warehouse = Warehouse.objects.create(code="bench-wh", name="Bench", operator="us", address="1 Quay", country="CN")
    consignment = Consignment.objects.create(
        partnership=partnership, direction=Consignment.Direction.OUTBOUND, status=Consignment.Status.RECEIVED
    )
    for start in range(0, skus, BATCH):
        numbers = range(start, min(start + BATCH, skus))
        plans = {}
        levels = []
        for n in numbers:
            old, new, sold, reserved = 10 + n % 7, 6, n % 4, n % 3
            plans[n] = (old, new, sold, reserved)
            levels.append(
                StockLevel(
                    warehouse=warehouse,
                    owner=partner,
                    sku=f"BX-{n:06d}",
                    on_hand=old + new - sold,
                    reserved=reserved,
                )
            )
        StockLevel.objects.bulk_create(levels, batch_size=BATCH)
        lots, movements, lines = [], [], []
        for level, n in zip(levels, numbers, strict=True):
            old, new, sold, reserved = plans[n]
            old_at = now - dt.timedelta(days=n % 500 + 30)
            new_at = now - dt.timedelta(days=n % 20)
            lots += [
                StockLot(stock=level, received_at=old_at, quantity=old, remaining=old - sold, reference="c1"),
                StockLot(stock=level, received_at=new_at, quantity=new, remaining=new, reference="c2"),
            ]
            movements += [
                StockMovement(stock=level, kind=Kind.RECEIVED, on_hand_delta=old, reference="c1", created_at=old_at),
                StockMovement(stock=level, kind=Kind.RECEIVED, on_hand_delta=new, reference="c2", created_at=new_at),
            ]
            if reserved:
                movements.append(
                    StockMovement(stock=level, kind=Kind.RESERVED, reserved_delta=reserved, reference="cart")
                )
            if sold:
                at = now - dt.timedelta(hours=3)
                movements += [
                    StockMovement(
                        stock=level,
                        kind=Kind.PICKED,
                        on_hand_delta=-sold,
                        picked_delta=sold,
                        reference="o",
                        created_at=at,
                    ),
                    StockMovement(stock=level, kind=Kind.SHIPPED, picked_delta=-sold, reference="o", created_at=at),
                ]
            lines.append(ConsignmentLine(consignment=consignment, sku=level.sku, quantity=old + new, counted=old + new))
        StockLot.objects.bulk_create(lots, batch_size=BATCH)
        StockMovement.objects.bulk_create(movements, batch_size=BATCH)
        ConsignmentLine.objects.bulk_create(lines, batch_size=BATCH)
        log(f"  {min(start + BATCH, skus):>7} SKUs")
    return partnership


def vacuum_analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    args = parser.parse_args(argv)

    log(f"database {args.database_url} (recreated), {args.skus} consignment SKUs")
    recreate_database(args.database_url)
    setup(args.database_url)

    from django.db import connection
    from django.utils import timezone

    from crossborder.models import OutboxMessage
    from logistics.models import Discrepancy, StockLevel
    from logistics.services import handoff

    now = timezone.now()
    _, generating = timed(lambda: generate(args.skus, now))
    vacuum_analyze()
    log(f"generated in {generating:.1f} s")
    from crossborder.models import Partnership

    partnership = Partnership.objects.select_related("partner").get(partner__code="bx")

    def count_lots():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM logistics_stocklot")
            return cursor.fetchone()[0]

    _, baseline_count = timed(count_lots)
    _, baseline_read = timed(
        lambda: list(StockLevel.objects.filter(owner=partnership.partner).values_list("sku", "on_hand", "reserved"))
    )
    (sales, stock), building = timed(lambda: handoff.build_reports(partnership=partnership, now=now))
    result, sending = timed(lambda: handoff.send_handoff(partnership=partnership, now=now))
    assert result.stock.line_count == args.skus, result.stock.line_count

    parts = {
        kind: list(OutboxMessage.objects.filter(message_type=kind).order_by("seq").values_list("payload", flat=True))
        for kind in (handoff.SALES_REPORT, handoff.STOCK_REPORT)
    }

    part_seconds = []

    def record(kind, function):
        for payload in parts[kind]:
            report, seconds = timed(lambda payload=payload: function(partnership=partnership, payload=payload))
            part_seconds.append(seconds)
        return report

    _, recording_sales = timed(lambda: record(handoff.SALES_REPORT, handoff.record_sales_report))
    received, recording_stock = timed(lambda: record(handoff.STOCK_REPORT, handoff.record_stock_report))
    assert received.line_count == args.skus and received.discrepancies == 0, received.discrepancies
    assert not Discrepancy.objects.exists()
    slowest = max(part_seconds)

    from logistics.models import GoodsAbroad

    assert GoodsAbroad.objects.filter(partnership=partnership).count() == args.skus

    exporter = recording_sales + recording_stock
    total = sending + exporter
    verdict = "OK" if total < TARGET_SECONDS else "OVER TARGET"
    log("")
    log(f"{'step':<52} {'seconds':>8}")
    log(f"{'baseline: SELECT count(*) over the lots':<52} {baseline_count:>8.2f}")
    log(f"{'baseline: bulk read of the levels (sku, counts)':<52} {baseline_read:>8.2f}")
    log(f"{'importer: build_reports (4 aggregate queries)':<52} {building:>8.2f}")
    log(f"{'importer: send_handoff (build, store, queue)':<52} {sending:>8.2f}")
    log(f"{'exporter: record_sales_report, all parts':<52} {recording_sales:>8.2f}")
    log(f"{'exporter: record_stock_report, all parts':<52} {recording_stock:>8.2f}")
    log(f"{'exporter: both reports':<52} {exporter:>8.2f}")
    log(f"{'handoff: send_handoff + both recordings':<52} {total:>8.2f}   target < {TARGET_SECONDS:.0f} s: {verdict}")
    log("")
    log(
        f"{sales.line_count} sales lines, {stock.line_count} stock lines, "
        f"{len(parts[handoff.SALES_REPORT])} + {len(parts[handoff.STOCK_REPORT])} messages of at most "
        f"{handoff.LINES_PER_MESSAGE} lines; send_handoff / bulk read = {sending / baseline_read:.1f}x, "
        f"slowest part {slowest:.2f} s"
    )
    return 0 if total < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
