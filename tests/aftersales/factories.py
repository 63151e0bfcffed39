"""A delivered `cn` order to return: bought through the storefront with Django's test client, paid
with the QR wallet (the sandbox provider, so refunds go through a real provider flow), shipped and
marked delivered by ops. Own goods and a `us` partner's goods sold from its consignment stock."""

import datetime as dt

from django.utils import timezone

from aftersales.models import ReturnUnit
from aftersales.services import returns
from payments.models import Order
from payments.shop.services import orders
from tests.logistics.factories import make_level
from tests.payments.paying_factories import bought_with_the_wallet
from tests.payments.shop_factories import own_variant, partner_listing


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
