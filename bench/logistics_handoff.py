"""Benchmark of issue 20 (issue 4 before it): the nightly inventory handoff of 100,000 consignment
SKUs, both sides, under 10 s, timed with the relay and signing, not only in-process.

Two platform instances as separate processes, each on its own fresh PostgreSQL database, partnered
the way the demo and the end-to-end tests partner them (scripts/instances.py `link`: an invitation,
then a signed proposal):

- the importer `cn` holds the exporter's goods as consignment stock: N SKUs, each with two lots of
  different ages, receipt / reservation / pick / shipment movements. This process is the importer:
  it runs with cn's settings and database, so what it times is cn's own code;
- the exporter `us` is served by gunicorn with production settings (DEBUG off), and holds the
  matching OUTBOUND consignment (received in full), so it expects exactly what cn reports.

Timed, next to the target:

- importer: `send_handoff` (build both reports, store them, queue every part in the outbox);
- relay: cn's outbox relay (`outbox.relay_partnership`, what the worker runs) delivers every part
  over loopback HTTP, signed; us verifies each request, applies it once through its inbox (the
  payload checked, the part recorded: goods abroad, discrepancies) and signs its reply, which the
  relay verifies. Of that: the relay's own work (loading the message, serialising and signing the
  body, verifying the reply, recording the outcome), the HTTP round trips, and within them us's
  inbox effect (from its InboxMessage rows: claim to completion, the recording itself);
- the handoff: send_handoff + relay, against the target;
- baseline: a bulk read of the 100,000 levels (sku, on hand, reserved) on cn, the best of three,
  for a ratio that does not depend on how busy the shared machine is.

Then it checks that us ends with N goods-abroad rows, both received reports complete and no
discrepancy. Exit status 0 when the handoff is under the target.

    .venv/bin/python bench/logistics_handoff.py [--skus 100000] [--postgres postgres://root@127.0.0.1:5432]
        [--database-prefix cb_bench_handoff] [--profile]

--profile runs send_handoff and the relay under cProfile in this process (the importer's side)
and prints their top functions."""

import argparse
import cProfile
import dataclasses
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import BenchInstance, free_port, log, production_env, recreate_database, shell_json  # noqa: E402
from scripts.instances import CN, US, link  # noqa: E402

TARGET_SECONDS = 10.0
BATCH = 10_000


def plan(n):
    """SKU n's units: (old lot, new lot, sold, reserved); what cn holds and what us sent."""
    return 10 + n % 7, 6, n % 4, n % 3


# us's side: the consignment it sent cn, received in full (counted = quantity), one line per SKU.
EXPORTER_FILL = """
import json
from bench.logistics_handoff import plan
from crossborder.models import Partner
from logistics.models import Consignment, ConsignmentLine
partnership = Partner.objects.get(code={importer!r}).live_partnership()
consignment = Consignment.objects.create(
    partnership=partnership, direction=Consignment.Direction.OUTBOUND, status=Consignment.Status.RECEIVED
)
units = [sum(plan(n)[:2]) for n in range({skus})]
ConsignmentLine.objects.bulk_create(
    [ConsignmentLine(consignment=consignment, sku=f"BX-{{n:06d}}", quantity=q, counted=q) for n, q in enumerate(units)],
    batch_size=10000,
)
print(json.dumps(len(units)))
"""

# us's view after the handoff, and the time its inbox spent applying each part.
EXPORTER_STATE = """
import json
from django.db.models import F, Sum
from crossborder.models import InboxMessage, Partner
from logistics.models import Discrepancy, GoodsAbroad, HandoffReport
partnership = Partner.objects.get(code={importer!r}).live_partnership()
inbox = InboxMessage.objects.filter(partnership=partnership, message_type__in=["sales.report", "stock.report"])
spans = [(m.completed_at - m.received_at).total_seconds() for m in inbox if m.completed_at]
print(json.dumps({{
    "goods_abroad": GoodsAbroad.objects.filter(partnership=partnership).count(),
    "sold_total": GoodsAbroad.objects.filter(partnership=partnership).aggregate(s=Sum("sold_total"))["s"],
    "matching": GoodsAbroad.objects.filter(partnership=partnership, on_hand=F("expected_on_hand")).count(),
    "discrepancies": Discrepancy.objects.filter(partnership=partnership).count(),
    "reports": {{r.kind: r.line_count for r in HandoffReport.objects.defer("lines").filter(
        partnership=partnership, direction="received")}},
    "messages": len(spans), "inbox_seconds": sum(spans), "slowest": max(spans, default=0),
}}))
"""


def generate(partnership, skus, now):
    """The exporter's consignment stock at cn: `skus` SKUs, with movements that add up to its counts."""
    import datetime as dt

    from logistics.models import StockLevel, StockLot, StockMovement, Warehouse

    Kind = StockMovement.Kind
    partner = partnership.partner
    warehouse = Warehouse.objects.create(code="bench-wh", name="Bench", operator="us", address="1 Quay", country="CN")
    for start in range(0, skus, BATCH):
        numbers = range(start, min(start + BATCH, skus))
        levels = []
        for n in numbers:
            old, new, sold, reserved = plan(n)
            levels.append(
                StockLevel(
                    warehouse=warehouse, owner=partner, sku=f"BX-{n:06d}", on_hand=old + new - sold, reserved=reserved
                )
            )
        StockLevel.objects.bulk_create(levels, batch_size=BATCH)
        lots, movements = [], []
        for level, n in zip(levels, numbers, strict=True):
            old, new, sold, reserved = plan(n)
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
        StockLot.objects.bulk_create(lots, batch_size=BATCH)
        StockMovement.objects.bulk_create(movements, batch_size=BATCH)
        log(f"  {min(start + BATCH, skus):>7} SKUs")


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


class Stopwatch:
    """Adds up the time spent in a module-level function while it is wrapped."""

    def __init__(self):
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, module, name):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        setattr(module, name, wrapper)
        return original


def relay_everything(partnership, profiler=None):
    """cn's relay, as its worker runs it, until no message of the partnership is pending; returns
    (seconds, the HTTP round trips' seconds, the body serialisation's seconds, sends)."""
    from crossborder import client, outbox
    from crossborder.models import OutboxMessage

    pending = OutboxMessage.objects.filter(partnership=partnership, status=OutboxMessage.Status.PENDING)
    http, body = Stopwatch(), Stopwatch()
    send = http.wrap(client._session, "send")
    serialise = body.wrap(client, "canonical_json")
    started = time.perf_counter()
    try:
        if profiler:
            profiler.enable()
        while True:
            result = outbox.relay_partnership(partnership.pk)
            if result.failed or result.rejected or result.skipped:
                message = OutboxMessage.objects.filter(partnership=partnership).exclude(last_error="").last()
                raise SystemExit(f"the relay stopped: {result}; {message.last_error if message else ''}")
            if not pending.exists():
                break
    finally:
        if profiler:
            profiler.disable()
        client._session.send = send
        client.canonical_json = serialise
    return time.perf_counter() - started, http.seconds, body.seconds, http.calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://root@127.0.0.1:5432"))
    parser.add_argument("--database-prefix", default="cb_bench_handoff", help="<prefix>_cn and <prefix>_us")
    parser.add_argument("--profile", action="store_true", help="the relay under cProfile (the importer's side)")
    args = parser.parse_args(argv)

    base = args.postgres.rstrip("/")
    urls = {code: f"{base}/{args.database_prefix}_{code}" for code in ("cn", "us")}
    tmp = Path(tempfile.mkdtemp(prefix="bench-handoff-"))
    env = {"CROSSBORDER_OUTBOX_RELAY_ON_COMMIT": "false"}  # this process relays, as a worker would
    importer = BenchInstance(
        dataclasses.replace(CN, port=free_port()),
        tmp / "cn",
        urls["cn"],
        extra_env={**production_env(tmp / "cn"), **env},
    )
    exporter = BenchInstance(
        dataclasses.replace(US, port=free_port()),
        tmp / "us",
        urls["us"],
        extra_env={**production_env(tmp / "us"), **env},
    )
    log(f"databases {urls['cn']} and {urls['us']} (recreated), {args.skus} consignment SKUs")
    try:
        for instance in (importer, exporter):
            recreate_database(instance.database_url)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(BenchInstance.prepare, (importer, exporter)))
        for instance in (importer, exporter):
            instance.start(worker=False, beat=False)
        for instance in (importer, exporter):
            instance.wait_ready()
        link(importer, exporter, token=uuid.uuid4().hex)
        importer.stop()  # this process is the importer from here on; only us serves
        filled, filling = timed(lambda: shell_json(exporter, EXPORTER_FILL.format(importer="cn", skus=args.skus)))
        log(f"us: outbound consignment of {filled} SKUs in {filling:.1f} s")
        return measure(importer, exporter, args)
    finally:
        importer.stop()
        exporter.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def measure(importer, exporter, args):
    os.environ.update(importer.env())
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from crossborder.models import OutboxMessage, Partner
    from logistics.models import StockLevel
    from logistics.services import handoff

    partnership = Partner.objects.get(code="us").live_partnership()
    # The partnership began long ago: every sale of the generated stock falls in the first report.
    now = timezone.now()
    type(partnership).objects.filter(pk=partnership.pk).update(starts_on=(now - dt.timedelta(days=600)).date())
    partnership.refresh_from_db()
    _, generating = timed(lambda: generate(partnership, args.skus, now))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"cn: consignment stock generated in {generating:.1f} s")

    def bulk_read():
        return list(StockLevel.objects.filter(owner=partnership.partner).values_list("sku", "on_hand", "reserved"))

    baseline = min(timed(bulk_read)[1] for _ in range(3))
    load_before = os.getloadavg()
    sender = cProfile.Profile() if args.profile else None
    if sender:
        sender.enable()
    result, sending = timed(lambda: handoff.send_handoff(partnership=partnership, now=now))
    if sender:
        sender.disable()
    assert result.stock.line_count == args.skus, result.stock.line_count
    payloads = OutboxMessage.objects.filter(partnership=partnership, status=OutboxMessage.Status.PENDING)
    sizes = [len(handoff_json(payload)) for payload in payloads.values_list("payload", flat=True)]
    profiler = cProfile.Profile() if args.profile else None
    relaying, http, serialising, sends = relay_everything(partnership, profiler)
    load_after = os.getloadavg()

    state = shell_json(exporter, EXPORTER_STATE.format(importer="cn"))
    ok = (
        state["goods_abroad"] == args.skus
        and state["matching"] == args.skus
        and state["discrepancies"] == 0
        and state["reports"] == {"sales": result.sales.line_count, "stock": args.skus}
    )
    total = sending + relaying
    verdict = "OK" if total < TARGET_SECONDS else "OVER TARGET"
    inbox = state["inbox_seconds"]
    rows = [
        ("baseline: bulk read of cn's levels (best of 3)", baseline),
        ("importer: send_handoff (build, store, queue)", sending),
        (f"relay: {sends} signed sends, us verifying and recording", relaying),
        ("  relay's own work (load, sign, verify reply, record)", relaying - http),
        ("    of which the request body (canonical JSON)", serialising),
        ("  HTTP round trips (us's whole request)", http),
        ("    of which us's inbox effect (record the part)", inbox),
        ("    of which the rest (transfer, parse, checks, sign)", http - inbox),
    ]
    log("")
    log(f"{'step':<58} {'seconds':>8}")
    for name, seconds in rows:
        log(f"{name:<58} {seconds:>8.2f}")
    log(f"{'handoff: send_handoff + relay':<58} {total:>8.2f}   target < {TARGET_SECONDS:.0f} s: {verdict}")
    log(f"{'handoff / bulk read':<58} {total / baseline:>7.0f}x")
    log("")
    log(
        f"{result.sales.line_count} sales lines, {result.stock.line_count} stock lines in {len(sizes)} messages of at "
        f"most {handoff.LINES_PER_MESSAGE} lines, {sum(sizes) / 1e6:.1f} MB of JSON (largest {max(sizes) / 1e6:.2f} MB); "
        f"slowest part at us {state['slowest']:.2f} s; load average "
        f"{' '.join(f'{x:.1f}' for x in load_before)} before, {' '.join(f'{x:.1f}' for x in load_after)} after"
    )
    log(
        f"us: {state['goods_abroad']} goods abroad, {state['matching']} as expected, "
        f"{state['discrepancies']} discrepancies, reports received {state['reports']}: {'OK' if ok else 'WRONG'}"
    )
    for name, stats in (("send_handoff", sender), ("relay", profiler)):
        if stats:
            out = io.StringIO()
            pstats.Stats(stats, stream=out).sort_stats("cumulative").print_stats(30)
            log(f"--- profile: {name}\n{out.getvalue()}")
    return 0 if ok and total < TARGET_SECONDS else 1


def handoff_json(payload):
    from crossborder.client import canonical_json

    return canonical_json(payload)


if __name__ == "__main__":
    sys.exit(main())
