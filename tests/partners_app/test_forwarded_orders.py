"""Forwarded orders in compliance and credit: an order forwarded to the partner must get its first
status within the agreed `order_ack_hours`; one answered later is a breach with its evidence, and
the credit part "forwarded orders acknowledged on time" falls to the hand-computed share."""

import datetime as dt
from decimal import Decimal

import pytest

from partners import scoring, selectors
from partners.models import ComplianceBreach
from partners.services import compliance, policy
from payments.models import OrderEvent
from payments.shop.services import orders
from tests.aftersales.test_demand_reports import paid_order
from tests.payments.shop_factories import partner_listing, set_up_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(settings):
    set_up_shop(settings)
    return partner_listing(variants=[{"sku": "US-LAMP", "attributes": {}, "is_active": True}])


def forwarded(listing, *, at, answered_after_hours=None, email):
    """An order of the listing forwarded at `at`; the partner's first status `answered_after_hours`
    later (None: not yet)."""
    order = paid_order(listing, 1, email=email)
    OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.FORWARDED).update(created_at=at)
    if answered_after_hours is not None:
        orders.receive_order_status(
            partnership=listing.partnership, payload={"order": str(order.reference), "status": "allocated"}
        )
        OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.PARTNER_STATUS).update(
            created_at=at + dt.timedelta(hours=answered_after_hours)
        )
    return order


def test_an_order_acknowledged_after_the_agreed_hours_is_a_breach_and_lowers_credit(listing):
    now = dt.datetime.now(dt.UTC)
    partnership = listing.partnership
    forwarded(listing, at=now - dt.timedelta(days=3), answered_after_hours=2, email="a@example.com")
    late = forwarded(listing, at=now - dt.timedelta(days=2), answered_after_hours=30, email="b@example.com")
    forwarded(listing, at=now - dt.timedelta(days=1, hours=1), email="c@example.com")  # never answered
    forwarded(listing, at=now - dt.timedelta(hours=2), email="d@example.com")  # not due yet

    result = compliance.check_partnership(partnership=partnership, now=now)

    breaches = ComplianceBreach.objects.filter(term="order_acknowledged", severity="breach")
    assert breaches.count() == 2 and len(result["breaches"]) == 2
    evidence = breaches.get(reference=f"order:{late.number}").evidence
    assert f"order #{late.number}" in evidence and "acknowledged" in evidence
    figures = selectors.partner_figures(partnership=partnership, policy=policy.current_policy(), now=now)
    # Due by now: three orders (the fourth is within its 24 hours), two of them late -> 100 x 1/3.
    assert (figures.orders_forwarded, figures.orders_acknowledged_late) == (3, 2)
    credit = scoring.compute("credit", figures, policy.current_policy())
    assert {part.key: part.value for part in credit.parts}["orders_acknowledged"] == Decimal("33.33")
