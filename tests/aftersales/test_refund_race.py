"""Two returns of the same order line refunded at the same moment, in two threads on PostgreSQL:
each takes its own per-unit shares of the line (the order line is locked while a refund is fixed),
so together they refund exactly what was paid for the line and charge the partner back exactly its
credit, never a cent more."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from aftersales.returns.services import returns
from payments.models import Posting

from .factories import delivered_order, partner_goods, received_and_graded

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_returns_of_one_line_refunded_at_once_share_the_line_exactly(cn, client, monkeypatch):
    listing = partner_goods(cn, export_price="20.01")
    order = delivered_order(client, (listing, 3))
    line = order.lines.get()
    first = received_and_graded(
        returns.open_return(order=order, quantities={line.pk: 2}, reason="no_reason"), ["good", "good"]
    )
    second = received_and_graded(returns.open_return(order=order, quantities={line.pk: 1}, reason="no_reason"), ["new"])
    start, errors = threading.Barrier(2), []
    # Each refund, once it has counted the units refunded before, waits for the other to count too
    # (at most 3 s): without the order line's lock both would count none and take the same shares.
    meet, count = threading.Barrier(2), returns._refunded_units_before

    def counted_then_wait(returned_line):
        found = count(returned_line)
        try:
            meet.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(returns, "_refunded_units_before", counted_then_wait)

    def refund(request):
        try:
            start.wait(timeout=10)
            returns.refund_return(request=request)
        except Exception as error:  # reported below, with the thread's failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund, args=(request,)) for request in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    refunded = [r.lines.get() for r in (first, second)]
    assert sorted((rl.units_before, rl.quantity) for rl in refunded) in ([(0, 1), (1, 2)], [(0, 2), (2, 1)])
    assert sum(rl.refund.amount for rl in refunded) == line.total.amount
    credit = -sum(
        p.amount for p in Posting.objects.filter(transaction__reference=line.reference, account__code="partner_balance")
    )
    charged = sum(
        p.amount
        for p in Posting.objects.filter(
            transaction__reference__in=[returns.chargeback_reference(rl) for rl in refunded],
            account__code="partner_balance",
        )
    )
    assert charged == credit and charged > Decimal(0)
