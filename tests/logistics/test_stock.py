"""Stock counts move only with their movements, never below zero, once per business event, and
units leave first-in first-out."""

import datetime as dt

import pytest
from django.utils import timezone

from logistics.models import Discrepancy, Reservation, StockLevel, StockLot, StockMovement
from logistics.services import LogisticsError, stock

from .factories import make_level

pytestmark = pytest.mark.django_db


def counts(level):
    level.refresh_from_db()
    return level.on_hand, level.reserved, level.picked


def test_receive_reserve_pick_ship_moves_each_count_and_records_each_change():
    level = make_level(on_hand=10)
    stock.reserve(level, 3, reference="order-1/line-1")
    assert counts(level) == (10, 3, 0) and level.sellable == 7
    stock.pick("order-1/line-1")
    assert counts(level) == (7, 0, 3)
    stock.ship(level, 3, reference="shipment-1")
    assert counts(level) == (7, 0, 0)
    kinds = list(StockMovement.objects.filter(stock=level).values_list("kind", flat=True))
    assert kinds == ["received", "reserved", "picked", "shipped"]
    assert stock.movement_totals()[level.pk] == (7, 0, 0)


def test_the_same_business_event_moves_stock_once():
    level = make_level()
    first = stock.receive(level, 5, reference="receipt-7/line-1")
    again = stock.receive(level, 5, reference="receipt-7/line-1")
    assert again.pk == first.pk and counts(level) == (5, 0, 0)
    stock.reserve(level, 2, reference="cart-1")
    stock.reserve(level, 2, reference="cart-1")
    assert counts(level) == (5, 2, 0) and Reservation.objects.count() == 1


def test_reserving_more_than_sellable_is_refused_and_changes_nothing():
    level = make_level(on_hand=4)
    stock.reserve(level, 3, reference="a")
    with pytest.raises(LogisticsError) as refused:
        stock.reserve(level, 2, reference="b")
    assert refused.value.code == "insufficient_stock" and "on hand 4, reserved 3" in refused.value.detail
    assert counts(level) == (4, 3, 0)
    assert not Reservation.objects.filter(reference="b").exists()
    assert not StockMovement.objects.filter(reference="b").exists()


def test_write_off_cannot_take_reserved_units_or_go_negative():
    level = make_level(on_hand=3)
    stock.reserve(level, 2, reference="a")
    with pytest.raises(LogisticsError):
        stock.write_off(level, 2, reason="water damage")
    stock.write_off(level, 1, reason="water damage")
    assert counts(level) == (2, 2, 0)


@pytest.mark.parametrize("bad", [-1, 0, 1.5, "2.5", "x", None, True])
def test_quantities_must_be_whole_positive_numbers(bad):
    level = make_level()
    with pytest.raises(LogisticsError) as refused:
        stock.receive(level, bad, reference="r")
    assert refused.value.code == "invalid_quantity" and refused.value.field == "quantity"
    assert counts(level) == (0, 0, 0) and not StockMovement.objects.exists()


def test_units_leave_the_oldest_lot_first():
    level = make_level()
    old = timezone.now() - dt.timedelta(days=120)
    stock.receive(level, 5, reference="first", at=old)
    stock.receive(level, 5, reference="second")
    stock.reserve(level, 7, reference="big-order")
    stock.pick("big-order")
    lots = list(StockLot.objects.filter(stock=level).order_by("received_at").values_list("remaining", flat=True))
    assert lots == [0, 3]


def test_expired_checkout_holds_go_back_to_sale_but_allocations_stay():
    level = make_level(on_hand=5)
    stock.reserve(level, 2, reference="checkout-1", expires_at=timezone.now() - dt.timedelta(minutes=1))
    stock.reserve(level, 1, reference="order-9")
    assert stock.expire_reservations() == 1
    assert counts(level) == (5, 1, 0)
    assert Reservation.objects.get(reference="checkout-1").status == "expired"
    with pytest.raises(LogisticsError):
        stock.pick("checkout-1")


def test_the_nightly_check_flags_a_count_that_differs_from_its_movements_once():
    level = make_level(on_hand=5)
    StockLevel.objects.filter(pk=level.pk).update(on_hand=6)  # a change made around the services
    (flag,) = stock.check_counts()
    assert (flag.kind, flag.field, flag.ours, flag.theirs) == ("recount", "on_hand", 6, 5)
    assert stock.check_counts() == [] and Discrepancy.objects.count() == 1
