"""The demo's after-sales state: one demo shopper's order bought with the sandbox wallet and
delivered (and a second one of its first goods paid, for their merchant, who ships itself, to ship), an approved review, a return received and graded, a return just asked for and a repair
ticket with a demo provider, all through the real services; running the command again adds nothing."""

import pytest
from django.core.management import call_command

from aftersales.models import ProductReview, ReturnRequest, ReturnUnit, ReviewStatus, ServiceProvider, ServiceTicket
from logistics.models import Shipment
from payments.models import Order
from payments.providers.models import Payment
from tests.payments.shop_factories import own_variant

from .service_factories import set_up_service

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Order, Payment, ProductReview, ReturnRequest, ReturnUnit, ServiceTicket, ServiceProvider)
    }


def test_the_demo_command_makes_a_delivered_order_with_review_returns_and_ticket_once(settings, capsys):
    warehouse = set_up_service(settings)
    own_variant(warehouse, stock=10, price="199.00")
    own_variant(warehouse, stock=10, price="59.00")

    call_command("demo_aftersales")
    first = capsys.readouterr().out

    order, to_ship = Order.objects.order_by("placed_at", "pk")
    assert order.status == Order.Status.DELIVERED and order.email == "wang.fang@shoppers.example"
    delivered = Shipment.objects.filter(order_line__in=[line.reference for line in order.lines.all()])
    assert set(delivered.values_list("status", flat=True)) == {Shipment.Status.DELIVERED}
    # The merchant of the first goods ships itself and has a paid line waiting to be shipped.
    assert to_ship.status == Order.Status.PAID and to_ship.lines.get().variant == order.lines.first().variant
    assert to_ship.lines.get().variant.product.merchant.ships_itself
    assert Shipment.objects.get(order_line=to_ship.lines.get().reference).status == Shipment.Status.ALLOCATED
    payments = Payment.objects.all()
    assert {(payment.provider, payment.state) for payment in payments} == {("sandbox_wallet", Payment.State.CAPTURED)}
    review = ProductReview.objects.get()
    assert review.status == ReviewStatus.APPROVED and review.order_line.line_number == 1
    graded, requested = ReturnRequest.objects.order_by("created_at", "pk")
    assert graded.status == ReturnRequest.Status.INSPECTED
    assert list(ReturnUnit.objects.filter(line__request=graded).values_list("grade", flat=True)) == ["like_new"]
    assert requested.status == ReturnRequest.Status.REQUESTED and requested.reason == "damaged"
    ticket = ServiceTicket.objects.get()
    assert ticket.order == order and ticket.skill.code == "repair" and ticket.provider is not None
    assert ServiceProvider.objects.count() == 2
    assert "demo after-sales: 6 added" in first
    for path in (f"/orders/{order.token}/", f"/{graded.token}/", f"/{requested.token}/", f"/tickets/{ticket.token}/"):
        assert path in first

    before = _counts()
    call_command("demo_aftersales")
    again = capsys.readouterr().out

    assert _counts() == before
    assert "demo after-sales: 0 added" in again
    assert again.split("added; ")[1] == first.split("added; ")[1]


def test_the_demo_shopper_buys_partner_goods_in_each_zone_and_they_are_forwarded_once(settings, capsys):
    """`demo_aftersales --zone-orders`: paid orders of the us partner's goods in cn's zone (declared
    under the Chinese shopper's real name and ID), each queued to us as order.forwarded; a second run
    adds none."""
    from crossborder.models import OutboxMessage
    from tests.payments.shop_factories import partner_listing, set_up_shop, us_partnership

    set_up_shop(settings)
    us = us_partnership()
    for n in range(8):  # goods with two options: the demo picks one
        options = [{"sku": f"KETTLE-{n}-{c}", "attributes": {}, "is_active": True} for c in ("S", "L")]
        partner_listing(us, export_price="20.00", direct_stock=50, variants=options)

    call_command("demo_aftersales", "--zone-orders")
    assert "demo zone orders: 4 placed" in capsys.readouterr().out
    orders = Order.objects.filter(email="wang.fang@shoppers.example")
    assert orders.count() == 4 and {o.status for o in orders} == {Order.Status.PAID}
    assert {o.buyer_id_number for o in orders} == {"11010519491231002X"}
    assert OutboxMessage.objects.filter(partnership=us, message_type="order.forwarded").count() == 4
    assert {line.sku for o in orders for line in o.lines.all()} <= {f"KETTLE-{n}-S" for n in range(8)}

    call_command("demo_aftersales", "--zone-orders")
    assert "demo zone orders: 0 placed" in capsys.readouterr().out
    assert Order.objects.count() == 4
