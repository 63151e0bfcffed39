"""A `cn` platform's history with two partners (`us` and `jp`) for the ops dashboard: sales both
ways on known days, settlement batches and disputes, consignment stock of known value and age, a
first-leg consignment against express, a return. Every figure the charts show follows from the
numbers here (the tests say how)."""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from djmoney.money import Money

from logistics.models import Consignment, ConsignmentLine
from logistics.services import stock
from partner_zone.models import PartnerListing
from payments.ledger.models import SettlementBatch, SettlementDispute
from payments.shop.models import ForwardedLine, ForwardedOrder, Fulfilment
from tests.aftersales.factories import paid_line, returned_units
from tests.logistics.factories import make_level
from tests.partner_zone.factories import make_partnership
from tests.payments.paying_factories import set_up_cn
from tests.payments.shop_factories import partner_listing, us_partnership


@dataclass
class History:
    now: dt.datetime
    us: object  # partnership
    jp: object
    us_lines: list  # paid order lines of us goods: (line, day)
    jp_lines: list


def days_ago(now, days, hour=12):
    local = timezone.localtime(now) - dt.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def forwarded(partnership, placed_at, *quantities, cancelled=0, unit="10"):
    """A forwarded order of our goods, each line owing `unit` a unit in the settlement currency."""
    currency = partnership.settlement_currency
    order = ForwardedOrder.objects.create(
        partnership=partnership, reference=uuid.uuid4(), number=f"F-{uuid.uuid4().hex[:6]}", placed_at=placed_at
    )
    for n, quantity in enumerate(quantities, start=1):
        ForwardedLine.objects.create(
            order=order,
            reference=f"order:{partnership.partner.code}:{order.number}:{n}",
            product=uuid.uuid4(),
            sku=f"OWN-{n}",
            quantity=quantity,
            export_amount=Money(Decimal(unit) * quantity, currency),
            fulfilment=Fulfilment.DIRECT,
            status=ForwardedLine.Status.ALLOCATED,
        )
    if cancelled:
        ForwardedLine.objects.create(
            order=order,
            reference=f"order:{partnership.partner.code}:{order.number}:x",
            product=uuid.uuid4(),
            sku="OWN-X",
            quantity=cancelled,
            export_amount=Money(Decimal(unit) * cancelled, currency),
            fulfilment=Fulfilment.DIRECT,
            status=ForwardedLine.Status.CANCELLED,
        )
    return order


def build_history(settings):
    """The fixture history (see the module's docstring); returns its handles."""
    warehouse = set_up_cn(settings)
    now = timezone.now()
    us = us_partnership()
    jp = make_partnership("jp", currency="JPY", country="JP", languages=("ja",), name="Sakura Market")
    us_listing = partner_listing(us, export_price="20.00", direct_stock=50)
    jp_listing = partner_listing(jp, export_price="10.00", direct_stock=50)

    # Sales of partners' goods: us 2 units 2 days ago and 1 today; jp 4 units yesterday.
    us_lines = [
        (paid_line(us_listing, 2, at=days_ago(now, 2)), timezone.localdate(days_ago(now, 2))),
        (paid_line(us_listing, 1, at=now), timezone.localdate(now)),
    ]
    jp_lines = [(paid_line(jp_listing, 4, at=days_ago(now, 1)), timezone.localdate(days_ago(now, 1)))]
    # One us unit came back (return rate 1 of 3); jp nothing.
    returned_units(us_lines[0][0], "")

    # Partners' sales of our goods: us 3 + 2 units 3 days ago (and a cancelled line), jp 5 today.
    forwarded(us, days_ago(now, 3), 3, 2, cancelled=7)
    forwarded(jp, now, 5, unit="1200")
    # An order placed before the 30-day period is left out.
    forwarded(us, days_ago(now, 40), 9)

    # Settlement: us paid 120.50 and open -20.25 USD; jp disputed 5000 JPY.
    SettlementBatch.objects.create(
        partnership=us, period_end=days_ago(now, 5), currency="USD", status="paid", net_amount=Decimal("120.50")
    )
    SettlementBatch.objects.create(
        partnership=us, period_end=days_ago(now, 1), currency="USD", status="open", net_amount=Decimal("-20.25")
    )
    jp_batch = SettlementBatch.objects.create(
        partnership=jp, period_end=days_ago(now, 1), currency="JPY", status="disputed", net_amount=Decimal("5000")
    )
    # Disputes on jp's batch: one open (1000 against 800: 200), one resolved (missing ours: 300).
    SettlementDispute.objects.create(
        batch=jp_batch,
        event_reference="sale:1",
        currency="JPY",
        our_amount=Decimal("1000"),
        partner_amount=Decimal("800"),
    )
    SettlementDispute.objects.create(
        batch=jp_batch,
        event_reference="sale:2",
        currency="JPY",
        partner_amount=Decimal("300"),
        status="resolved",
        resolved_at=now,
    )

    # Consignment stock: us listing holds 5 units here at 20.00 USD (100.00 USD); in the warehouse
    # 5 units of us received 100 days ago and 2 of jp received today.
    PartnerListing.objects.filter(pk=us_listing.pk).update(local_stock=5)
    old = make_level(warehouse=warehouse, sku="US-OLD", owner=us.partner)
    stock.receive(old, 5, reference="consignment:old", at=now - dt.timedelta(days=100))
    make_level(warehouse=warehouse, sku="JP-NEW", owner=jp.partner, on_hand=2)

    # First leg: our consignment to us, 10 units of 1 kg for 1000.00 CNY, received yesterday; by
    # express (the built-in CNY table: 200.00 a 1 kg parcel) 2000.00, saved 1000.00 (50.0 %).
    consignment = Consignment.objects.create(
        partnership=us,
        direction=Consignment.Direction.OUTBOUND,
        status=Consignment.Status.RECEIVED,
        received_at=days_ago(now, 1),
        first_leg_cost=Money(Decimal("1000.00"), "CNY"),
    )
    ConsignmentLine.objects.create(consignment=consignment, sku="OWN-1", quantity=10, unit_weight_grams=1000)
    return History(now=now, us=us, jp=jp, us_lines=us_lines, jp_lines=jp_lines)
