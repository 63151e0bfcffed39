"""Returned units to decide on: a paid order line of a partner's goods (or our own) on a `cn` shop,
its return and its units graded, made directly (the return flow itself is tested apart)."""

import secrets

from django.utils import timezone

from aftersales.models import ReturnLine, ReturnRequest, ReturnUnit, Thread
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.payments.shop_factories import BUYER, cart_with, checkout_of


def paid_line(item, quantity=1, *, buyer=BUYER, at=None):
    """One paid order line of `item` (a partner listing or our variant), bought by a cn shopper."""
    checkout = checkout_of(cart_with((item, quantity)), **(buyer if hasattr(item, "partnership_id") else {}))
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    orders.mark_paid(order=order, payment_reference=f"pay-{order.number}", amount=order.total, now=at)
    return order.lines.get()


def returned_units(order_line, *grades, warehouse=None):
    """A return of `order_line` received with one unit per grade ("" leaves a unit ungraded)."""
    request = ReturnRequest.objects.create(
        token=secrets.token_hex(16),
        order=order_line.order,
        reason="no_reason",
        status=ReturnRequest.Status.INSPECTED,
        warehouse=warehouse,
        thread=Thread.objects.create(subject=f"return of {order_line.sku}"),
    )
    line = ReturnLine.objects.create(request=request, order_line=order_line, quantity=len(grades))
    now = timezone.now()
    return [
        ReturnUnit.objects.create(
            line=line,
            number=number,
            partnership=order_line.partnership,
            grade=grade,
            received_at=now,
            inspected_at=now if grade else None,
        )
        for number, grade in enumerate(grades, start=1)
    ]
