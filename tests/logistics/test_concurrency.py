"""Stock stays exact under real concurrency: parallel allocations, picks and receipts on the same
stock level from separate threads, each with its own PostgreSQL connection (DESIGN.md section 6)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum

from logistics.models import Shipment, StockLevel, StockLot, StockMovement
from logistics.services import LogisticsError, last_leg, stock

from .factories import make_level

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RECIPIENT = {"name": "Li Wei", "address_lines": ["88 Century Avenue"], "city": "Shanghai", "country": "CN"}
THREADS = 8


def in_own_connection(work):
    """Run `work` in a pool thread and close that thread's connection when done."""

    def run(*args):
        try:
            return work(*args)
        finally:
            connection.close()

    return run


def run_all(jobs):
    """Start every job at once (a barrier) on THREADS threads; returns their results in order."""
    barrier = threading.Barrier(THREADS)
    started = threading.local()

    def wrapped(job):
        if not getattr(started, "done", False):
            started.done = True
            barrier.wait(timeout=30)
        return job()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(in_own_connection(wrapped), jobs))


def sell_one(sku, n):
    def job():
        try:
            shipment = last_leg.allocate_local(order_line=f"order-{n}", sku=sku, quantity=1, recipient=RECIPIENT)
            last_leg.pick_shipment(shipment)
        except LogisticsError as refused:
            return refused.code
        return "sold"

    return job


def receive_one(level, n):
    def job():
        stock.receive(level, 1, reference=f"receipt-{n}")
        return "received"

    return job


def assert_exact(level, *, on_hand, reserved, picked):
    level.refresh_from_db()
    assert (level.on_hand, level.reserved, level.picked) == (on_hand, reserved, picked)
    assert stock.movement_totals([level])[level.pk] == (on_hand, reserved, picked)
    assert StockLot.objects.filter(stock=level).aggregate(total=Sum("remaining"))["total"] == on_hand
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()


def test_parallel_sales_and_receipts_on_one_sku_sell_exactly_what_there_is():
    level = make_level(sku="TEA-1", on_hand=50)
    jobs = []
    for n in range(80):
        jobs.append(sell_one("TEA-1", n))
        if n % 4 == 3:  # a receipt among every four sales
            jobs.append(receive_one(level, n // 4))

    results = run_all(jobs)

    sold = results.count("sold")
    assert results.count("received") == 20
    assert results.count("insufficient_stock") == 80 - sold
    # 70 units existed in all; some sales may have come before the receipts that would have served them.
    assert 50 <= sold <= 70
    assert_exact(level, on_hand=70 - sold, reserved=0, picked=sold)
    assert Shipment.objects.filter(status="picked").count() == sold
    # What is left is sellable: draining it sells exactly the remaining units, no more.
    drained = [sell_one("TEA-1", 100 + n)() for n in range(80 - sold)]
    assert drained.count("sold") == 70 - sold
    assert_exact(level, on_hand=0, reserved=0, picked=70)


def test_parallel_sales_of_more_than_on_hand_sell_exactly_the_units_on_hand():
    level = make_level(sku="TEA-1", on_hand=50)

    results = run_all([sell_one("TEA-1", n) for n in range(80)])

    assert results.count("sold") == 50 and results.count("insufficient_stock") == 30
    assert_exact(level, on_hand=0, reserved=0, picked=50)


def test_the_same_business_event_completed_by_two_threads_moves_stock_once():
    level = make_level(sku="TEA-1", on_hand=10)
    shipment = last_leg.allocate_local(order_line="order-1", sku="TEA-1", quantity=3, recipient=RECIPIENT)

    run_all([lambda: stock.receive(level, 5, reference="consignment-7/TEA-1")] * THREADS)
    run_all([lambda: last_leg.pick_shipment(shipment)] * THREADS)
    run_all([lambda: last_leg.pack_shipment(shipment)] * THREADS)
    run_all([lambda: last_leg.ship_shipment(shipment, carrier="sandbox")] * THREADS)

    assert_exact(level, on_hand=12, reserved=0, picked=0)
    movements = StockMovement.objects.filter(stock=level)
    assert list(movements.values_list("kind", flat=True)) == ["received", "reserved", "received", "picked", "shipped"]
    shipment.refresh_from_db()
    assert shipment.status == "shipped"


def test_two_threads_allocating_the_same_order_line_reserve_once():
    level = make_level(sku="TEA-1", on_hand=10)

    results = run_all(
        [
            lambda: last_leg.allocate_local(order_line="order-1", sku="TEA-1", quantity=2, recipient=RECIPIENT).pk
            for _ in range(THREADS)
        ]
    )

    assert len(set(results)) == 1
    assert_exact(level, on_hand=10, reserved=2, picked=0)
