"""Charges between partners outside an order's price: a storage fee or a campaign share is posted by
the platform that bills it and sent to the partner, who posts the mirror image under the same
reference, so both settlement statements carry the same line with opposite signs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from djmoney.money import Money

from crossborder.models import OutboxMessage
from logistics import hooks as logistics_hooks
from logistics.services import ageing, stock
from payments.ledger.services import charges, ledger
from payments.models import LedgerTransaction, Posting
from tests.logistics.factories import make_level

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 5, 31)


@pytest.fixture(autouse=True)
def _fresh_accounts():
    ledger.forget_accounts()
    yield
    ledger.forget_accounts()


def partner_balance(partnership, currency="USD"):
    return Posting.objects.filter(partnership=partnership, currency=currency).aggregate(t=Sum("amount"))["t"]


def test_a_nights_storage_fee_is_billed_to_the_partner_once_through_the_logistics_hook(
    remote, django_capture_on_commit_callbacks
):
    remote.partnership.fee_schedule = {"warehouse_storage_per_unit_day": "0.02"}
    remote.partnership.save(update_fields=["fee_schedule"])
    level = make_level(owner=remote.partner)
    stock.receive(level, 100, reference="lot-1", at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))

    assert charges.book_storage_fee in logistics_hooks.fee_accrued.subscribers
    with django_capture_on_commit_callbacks(execute=True):
        [accrual] = ageing.accrue_storage_fees(day=DAY)
    charges.book_storage_fee(accrual)  # booked again (a retried hook): nothing more

    assert partner_balance(remote.partnership) == Decimal("2.00")  # the partner owes us 100 x 0.02
    assert LedgerTransaction.objects.filter(reference=accrual.reference).count() == 1
    [message] = OutboxMessage.objects.filter(message_type=charges.CHARGE)
    assert message.payload == {
        "reference": accrual.reference,
        "kind": "warehouse_fee",
        "amount": "2.00",
        "currency": "USD",
    }


def test_a_charge_from_the_partner_is_owed_under_its_reference_and_a_replay_changes_nothing(remote, api):
    payload = {"reference": "storage:17:2025-05-31", "kind": "warehouse_fee", "amount": "2.00", "currency": "USD"}

    first = remote.post_message(api, charges.CHARGE, payload)
    again = remote.post_message(api, charges.CHARGE, payload)  # another idempotency key, the same charge

    assert first.status_code == again.status_code == 200, first.content
    assert partner_balance(remote.partnership) == Decimal("-2.00")  # we owe the partner
    assert set(Posting.objects.filter(partnership=remote.partnership).values_list("event_reference", flat=True)) == {
        "storage:17:2025-05-31"
    }
    assert LedgerTransaction.objects.count() == 1


def test_a_bad_charge_is_refused_naming_the_field_and_nothing_is_posted(remote, api):
    for field, value in (("amount", "2.001"), ("amount", "-2.00"), ("kind", "bribe"), ("currency", "usd")):
        payload = {"reference": "fee:x", "kind": "warehouse_fee", "amount": "2.00", "currency": "USD", field: value}
        response = remote.post_message(api, charges.CHARGE, payload)
        assert response.status_code == 400, (field, value, response.content)
        error = response.json()
        assert field in f"{error.get('field')} {error.get('detail')}", (field, error)
    assert not LedgerTransaction.objects.exists()


def test_only_positive_charges_of_known_kinds_are_billed(remote):
    with pytest.raises(Exception) as refused:
        charges.charge_partner(
            partnership=remote.partnership, reference="x", kind="warehouse_fee", amount=Money(Decimal("0"), "USD")
        )
    assert refused.value.field == "amount"
    with pytest.raises(Exception) as refused:
        charges.charge_partner(
            partnership=remote.partnership, reference="x", kind="tip", amount=Money(Decimal("1.00"), "USD")
        )
    assert refused.value.field == "kind"
    assert not LedgerTransaction.objects.exists()


def test_paying_for_partner_goods_at_a_campaign_price_bills_the_partner_its_share_of_the_discount(db, settings):
    from django.utils import timezone

    from partner_zone.models import Campaign, CampaignSale
    from partner_zone.services import pricing
    from payments.shop.services import checkout as checkouts
    from payments.shop.services import orders

    from .shop_factories import BUYER, cart_with, checkout_of, partner_listing, set_up_shop

    set_up_shop(settings)
    listing = partner_listing(export_price="20.00")
    list_price = listing.price
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        partnership=listing.partnership,
        status=Campaign.Status.ACCEPTED,
        title="Black Friday",
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        suggested_discount_percent=Decimal("20"),
        discount_percent=Decimal("20"),
        partner_share_percent=Decimal("50"),
    )
    campaign.listings.add(listing)
    listing = pricing.price_listing(listing)
    assert listing.price < list_price
    checkout = checkout_of(cart_with((listing, 2)), **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))

    orders.mark_paid(order=order, payment_reference="pay-1")

    sale = CampaignSale.objects.get()
    assert sale.partner_share == Money((sale.discount.amount / 2).quantize(Decimal("0.01")), "CNY")
    line = order.lines.get()
    share = Posting.objects.get(event_reference=f"{line.reference}:campaign-share", partnership=listing.partnership)
    assert share.amount == sale.partner_share.amount and share.currency == "CNY"  # the partner owes us its share
    [message] = OutboxMessage.objects.filter(message_type=charges.CHARGE)
    assert message.payload["kind"] == "campaign_share" and message.payload["amount"] == str(sale.partner_share.amount)
