"""China's CBEC rule counts the period within which a returned cross-border good may go back into
bonded stock from the good's customs entry: the receipt of the first-leg lot its unit left from
(first in first out), not the order's payment; goods shipped direct count from the payment."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.choices import Disposition, Grade
from aftersales.models import ReturnUnit
from aftersales.returns.services import disposition
from aftersales.rules import resale_rule
from logistics.models import StockLot
from logistics.selectors import received_at_of_unit
from logistics.services import stock
from tests.payments.shop_factories import partner_listing, set_up_shop

from .factories import paid_line, partner_goods, returned_units

pytestmark = pytest.mark.django_db

PERIOD = resale_rule(partner_goods=True, country="CN").period_days


@pytest.fixture
def warehouse(db, settings):
    return set_up_shop(settings)


def consignment_unit(warehouse, *, lots_days_ago):
    """A like-new returned unit of a `us` good sold from consignment stock whose lots came in
    `lots_days_ago` (one lot of two units each, oldest first); the order was paid just now."""
    listing = partner_goods(warehouse, stock=0)
    level = stock.stock_level(warehouse=warehouse, sku=listing.variants[0]["sku"], owner=listing.partnership.partner)
    for n, days in enumerate(lots_days_ago):
        stock.receive(level, 2, reference=f"consignment:lot-{n}")
        StockLot.objects.filter(reference=f"consignment:lot-{n}").update(
            received_at=timezone.now() - dt.timedelta(days=days)
        )
    return level, listing


def sold_and_returned(listing, quantity=1):
    line = paid_line(listing, quantity)
    stock.pick(line.reservation.reference)
    [unit] = returned_units(line, Grade.LIKE_NEW)
    return ReturnUnit.objects.get(pk=unit.pk)


def allowed(unit):
    return {o.disposition for o in disposition.allowed_dispositions(unit) if o.allowed}


def test_a_unit_whose_lot_entered_customs_past_the_period_cannot_go_back_though_paid_today(warehouse):
    _level, listing = consignment_unit(warehouse, lots_days_ago=[PERIOD + 5])

    unit = sold_and_returned(listing)

    assert timezone.now() - unit.line.order_line.order.paid_at < dt.timedelta(hours=1)
    assert allowed(unit) == {"send_back", "repair", "dispose"}
    disposition.apply_rules([unit])
    unit.refresh_from_db()
    assert unit.disposition == Disposition.SEND_BACK


def test_a_unit_of_a_lot_within_the_period_may_be_resold_in_the_zone(warehouse):
    _level, listing = consignment_unit(warehouse, lots_days_ago=[PERIOD - 5])

    unit = sold_and_returned(listing)

    assert Disposition.RESELL in allowed(unit)


def test_units_leave_the_oldest_lot_first_so_a_later_sale_counts_from_the_newer_lot(warehouse):
    level, listing = consignment_unit(warehouse, lots_days_ago=[PERIOD + 20, 10])
    first = sold_and_returned(listing, quantity=2)  # takes the old lot's two units
    second = sold_and_returned(listing)  # the first unit of the newer lot

    assert Disposition.RESELL not in allowed(first)
    assert Disposition.RESELL in allowed(second)
    entered = received_at_of_unit(reservation_id=second.line.order_line.reservation_id)
    assert timezone.now() - entered < dt.timedelta(days=11)


def test_goods_shipped_direct_count_from_the_orders_payment(warehouse):
    listing = partner_listing(export_price="20.00")
    line = paid_line(listing)
    [unit] = returned_units(line, Grade.LIKE_NEW)

    assert line.reservation_id is None
    assert disposition.imported_at(unit) == line.order.paid_at


def test_a_graded_zone_offer_is_rounded_like_every_zone_price_yet_below_the_list_price(warehouse):
    from djmoney.money import Money

    from partner_zone.graded import zone_graded_price

    # 179.90 less 15 % is 152.915: the zone shows it as 152.90 (below CNY 1000: the nearest .9).
    assert zone_graded_price(Money("179.90", "CNY"), 15) == Money("152.90", "CNY")
    # 19.90 less 1 % is 19.70, which the rule would raise to 19.90, the list price: to the cent.
    assert zone_graded_price(Money("19.90", "CNY"), 1) == Money("19.70", "CNY")
