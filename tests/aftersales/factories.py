"""After-sales test data: delivered orders to return (the return flow), and returned units graded
directly (paid_line, returned_units) for deciding what becomes of them."""

import datetime as dt
import secrets

from django.utils import timezone

from aftersales.models import ReturnLine, ReturnRequest, ReturnUnit, Thread
from aftersales.returns.services import returns
from payments.models import Order
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.logistics.factories import make_level
from tests.payments.paying_factories import bought_with_the_wallet
from tests.payments.shop_factories import BUYER, cart_with, checkout_of, own_variant, partner_listing


def partner_goods(warehouse, *, export_price="20.00", fees=None, stock=5):
    """A `us` listing served from its consignment stock in our warehouse."""
    listing = partner_listing(direct_stock=0, export_price=export_price)
    partnership = listing.partnership
    if fees:
        partnership.fee_schedule = {**partnership.fee_schedule, **fees}
        partnership.save(update_fields=["fee_schedule"])
    make_level(warehouse=warehouse, sku=listing.variants[0]["sku"], owner=partnership.partner, on_hand=stock)
    return listing


def delivered_order(client, *items, delivered_days_ago=1):
    """A paid, shipped and delivered order of (variant or listing, quantity) items."""
    order = bought_with_the_wallet(client, *items)
    assert order.status == Order.Status.PAID
    orders.change_order_status(order=order, status=Order.Status.SHIPPED)
    orders.change_order_status(order=order, status=Order.Status.DELIVERED)
    if delivered_days_ago:
        at = timezone.now() - dt.timedelta(days=delivered_days_ago)
        order.events.filter(status=Order.Status.DELIVERED).update(created_at=at)
    order.refresh_from_db()
    return order


def own_and_partner_order(client, warehouse, **partner):
    variant = own_variant(warehouse, stock=5, price="99.00")
    listing = partner_goods(warehouse, **partner)
    return delivered_order(client, (variant, 2), (listing, 3)), variant, listing


def line_ids(order):
    return {line.line_number: line.pk for line in order.lines.order_by("line_number")}


def received_and_graded(request, grades):
    """Receive every announced unit and grade them in order with `grades` (one per unit)."""
    returns.receive_return(request=request, counts={line.pk: line.quantity for line in request.lines.all()})
    units = list(ReturnUnit.objects.filter(line__request=request).order_by("line__order_line__line_number", "number"))
    returns.grade_units(
        request=request, grades={unit.pk: (grade, "") for unit, grade in zip(units, grades, strict=True)}
    )
    request.refresh_from_db()
    return request


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
