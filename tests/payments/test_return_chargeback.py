"""Partner charges that come from orders: returned partner goods charged back (the partner gives
back what the sale credited it for the returned units, export price less our commission, once per
reference, sent through the outbox, on the order's timeline; a return's refund does it), and the
fulfilment fee for consignment stock we deliver."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from crossborder.errors import DomainError
from crossborder.models import OutboxMessage
from payments.ledger.services import charges
from payments.models import LedgerTransaction, OrderEvent, Posting
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.logistics.factories import make_level

from .shop_factories import BUYER, cart_with, checkout_of, own_variant, partner_listing, set_up_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def placed(*items, **buyer):
    checkout = checkout_of(cart_with(*items), **buyer)
    return checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))


def paid(*items):
    order = placed(*items, **BUYER)
    orders.mark_paid(order=order, payment_reference=f"pay-{order.number}", amount=order.total)
    return order


def partner_balance(partnership):
    return Posting.objects.filter(partnership=partnership, currency="USD").aggregate(t=Sum("amount"))["t"]


def test_a_returned_line_gives_the_partner_back_what_its_sale_credited_and_tells_the_partner(shop):
    listing = partner_listing(export_price="20.00")
    line = paid((listing, 3)).lines.get()
    # sold: 3 x 20.00 = 60.00 owed to the partner, less 8 % commission 4.80
    assert partner_balance(listing.partnership) == Decimal("-55.20")

    charges.charge_back_return(line=line)

    assert partner_balance(listing.partnership) == 0
    posted = LedgerTransaction.objects.get(reference=f"{line.reference}:return")
    assert posted.kind == "return_chargeback"
    message = OutboxMessage.objects.get(message_type=charges.CHARGE)
    assert message.payload == {
        "reference": f"{line.reference}:return",
        "kind": "return_chargeback",
        "amount": "55.20",
        "currency": "USD",
    }
    event = line.order.events.get(kind=OrderEvent.Kind.RETURN_CHARGED_BACK)
    assert event.detail == {"line": 1, "quantity": 3, "amount": "55.20", "currency": "USD"}


def test_part_of_a_line_returned_is_charged_back_in_proportion(shop):
    listing = partner_listing(export_price="20.00")
    line = paid((listing, 3)).lines.get()

    charges.charge_back_return(line=line, quantity=1)

    assert partner_balance(listing.partnership) == Decimal("-36.80")  # 55.20 less a third of it


def test_a_line_is_charged_back_once_and_a_second_try_changes_nothing(shop):
    line = paid((partner_listing(), 2)).lines.get()
    charges.charge_back_return(line=line)
    counts = (LedgerTransaction.objects.count(), OutboxMessage.objects.count(), OrderEvent.objects.count())

    with pytest.raises(DomainError, match="already charged back"):
        charges.charge_back_return(line=line)

    assert (LedgerTransaction.objects.count(), OutboxMessage.objects.count(), OrderEvent.objects.count()) == counts


@pytest.mark.parametrize("quantity", [0, 3, -1])
def test_a_return_of_more_units_than_the_line_or_none_is_refused_naming_the_quantity(shop, quantity):
    line = paid((partner_listing(), 2)).lines.get()
    before = LedgerTransaction.objects.count()

    with pytest.raises(DomainError) as refused:
        charges.charge_back_return(line=line, quantity=quantity)

    assert refused.value.field == "quantity" and "1 to 2 units" in refused.value.detail
    assert LedgerTransaction.objects.count() == before


def test_own_goods_and_unpaid_orders_have_nothing_to_charge_back(shop):
    own_line = paid((own_variant(shop), 1)).lines.get()
    unpaid_line = placed((partner_listing(), 1), **BUYER).lines.get()

    with pytest.raises(DomainError, match="our own goods"):
        charges.charge_back_return(line=own_line)
    with pytest.raises(DomainError, match="never paid for"):
        charges.charge_back_return(line=unpaid_line)

    assert not LedgerTransaction.objects.filter(kind="return_chargeback").exists()


def test_the_order_admin_no_longer_charges_back_returns_by_hand(shop, admin_client):
    # Returns charge the partner back when they are refunded (aftersales.returns.services.returns).
    response = admin_client.get(reverse("admin:payments_order_changelist"))

    assert "charge_back_returns" not in response.content.decode()


# --- fulfilment of consignment stock ----------------------------------------------------------------


def consignment_listing(warehouse, **fields):
    listing = partner_listing(direct_stock=0, **fields)
    make_level(warehouse=warehouse, sku=listing.variants[0]["sku"], owner=listing.partnership.partner, on_hand=10)
    return listing


def with_fees(listing, **fees):
    partnership = listing.partnership
    partnership.fee_schedule = {**partnership.fee_schedule, **fees}
    partnership.save(update_fields=["fee_schedule"])
    return listing


def test_a_paid_consignment_line_bills_the_partner_the_agreed_fulfilment_fee_per_unit_once(shop):
    listing = with_fees(consignment_listing(shop), fulfilment_per_unit="1.25")
    order = paid((listing, 3))
    line = order.lines.get()
    assert line.fulfilment == "consignment"

    orders.mark_paid(order=order, payment_reference=f"pay-{order.number}")  # a repeated payment message

    fee = LedgerTransaction.objects.get(reference=f"{line.reference}:fulfilment")
    assert fee.kind == "logistics_fee"
    assert sorted(fee.postings.values_list("amount", "currency")) == [
        (Decimal("-3.75"), "USD"),
        (Decimal("3.75"), "USD"),
    ]
    message = OutboxMessage.objects.get(message_type=charges.CHARGE)
    assert (message.payload["kind"], message.payload["amount"]) == ("logistics_fee", "3.75")


def test_direct_lines_and_agreements_without_a_fulfilment_fee_are_not_billed(shop):
    # One partnership: its fee schedule changes between the sales.
    direct = with_fees(partner_listing(direct_stock=5), fulfilment_per_unit="1.25")
    paid((direct, 1))
    unbilled = with_fees(consignment_listing(shop), fulfilment_per_unit="")
    paid((unbilled, 1))
    broken = with_fees(consignment_listing(shop), fulfilment_per_unit="a lot")
    paid((broken, 1))  # logged for ops; the sale goes on

    assert not LedgerTransaction.objects.filter(kind="logistics_fee").exists()
