"""Installation at checkout: goods flagged as needing it offer a local provider's installation,
priced for the delivery address in local currency; it is part of the quote and of the order's
total (the total-is-the-sum constraints count it), and paying the order opens one ticket,
dispatched at once to the cheapest provider serving the address."""

import pytest
from djmoney.money import Money

from aftersales.models import ServiceTicket
from crossborder.errors import DomainError
from crossborder.models import Notification
from payments.models import CheckoutExtra, LedgerTransaction, OrderExtra
from payments.shop.services import cancel as cancels
from payments.shop.services import orders
from tests.partners import table_counts
from tests.payments import shop_factories
from tests.payments.shop_factories import CONTACT, cart_with, own_variant

from .service_factories import (
    checkout_with_installation,
    installable_variant,
    make_provider,
    place_and_pay,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_installation_is_priced_for_the_address_into_the_quote_and_the_order_total(service_shop):
    make_provider("Costly Fitters", prices={"installation": "150.00"})
    make_provider("Pudong Home Services", prices={"installation": "80.00"})
    make_provider("Beijing Fitters", city="Beijing", prices={"installation": "10.00"})
    washer = installable_variant(service_shop, price="1999.00")

    checkout = checkout_with_installation((washer, 2))

    # two units installed at the cheapest Shanghai price; Beijing's cheaper provider does not serve Shanghai
    assert checkout.extras == Money("160.00", "CNY")
    assert checkout.total == Money("3998.00", "CNY") + Money("10.00", "CNY") + Money("160.00", "CNY")
    extra = CheckoutExtra.objects.get(checkout=checkout)
    assert (extra.line_number, extra.code, extra.amount) == (1, "installation", Money("160.00", "CNY"))
    assert extra.detail["payer"] == "shopper"

    order = place_and_pay(checkout)

    assert order.extras == Money("160.00", "CNY") and order.total == checkout.total
    assert OrderExtra.objects.get(order=order).amount == Money("160.00", "CNY")


def test_paying_opens_one_ticket_dispatched_to_the_cheapest_provider_and_tells_both(service_shop):
    make_provider("Costly Fitters", prices={"installation": "150.00"})
    cheap = make_provider("Pudong Home Services", prices={"installation": "80.00"})
    washer = installable_variant(service_shop)

    order = place_and_pay(checkout_with_installation((washer, 1)))
    orders.mark_paid(order=order, payment_reference=order.payment_reference)  # reported again

    ticket = ServiceTicket.objects.get()
    assert (ticket.order_id, ticket.source, ticket.status) == (order.pk, "checkout", "dispatched")
    assert ticket.provider == cheap and ticket.cost == Money("80.00", "CNY") and ticket.price == Money("80.00", "CNY")
    assert ticket.paid_in_order and ticket.payer == "shopper" and ticket.city == "Shanghai"
    assert [e.kind for e in ticket.events.all()] == ["requested", "dispatched"]
    assert ticket.schedule_due_at - ticket.requested_at == ticket.skill.hours_to_schedule * __import__(
        "datetime"
    ).timedelta(hours=1)
    recipients = set(Notification.objects.values_list("to", "template"))
    assert (cheap.email, "service_dispatched") in recipients and (CONTACT["email"], "service_requested") in recipients
    # Nothing of the service is recognised yet: the shopper's money for it waits in prepayments.
    assert not LedgerTransaction.objects.filter(reference__startswith="service:").exists()


def test_without_the_choice_there_is_no_extra_and_no_ticket(service_shop):
    make_provider()
    washer = installable_variant(service_shop)

    order = place_and_pay(checkout_with_installation((washer, 1), install=False))

    assert order.extras == Money(0, "CNY") and not ServiceTicket.objects.exists()


def test_installation_outside_every_providers_area_is_refused_with_the_reason_and_holds_nothing(service_shop):
    make_provider("Beijing Fitters", city="Beijing")
    washer = installable_variant(service_shop)
    cart = cart_with((washer, 1))
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        shop_factories.start_checkout(cart=cart, **CONTACT, services=[cart.lines.get().pk])

    assert refused.value.code == "service_out_of_area" and refused.value.field == "services"
    assert "Shanghai" in refused.value.detail
    assert table_counts() == before


def test_goods_that_need_no_installation_cannot_have_it(service_shop):
    make_provider()
    plain = own_variant(service_shop, stock=5)
    cart = cart_with((plain, 1))
    before = table_counts()

    with pytest.raises(DomainError) as refused:
        shop_factories.start_checkout(cart=cart, **CONTACT, services=[cart.lines.get().pk])

    assert refused.value.code == "service_not_offered"
    assert table_counts() == before


def test_a_partner_installation_the_agreement_puts_on_the_partner_is_free_for_the_shopper(service_shop):
    from tests.partner_zone.factories import make_partnership
    from tests.payments.shop_factories import FEES, partner_listing

    partnership = make_partnership("us", currency="USD", fee_schedule={**FEES, "service_installation_payer": "partner"})
    listing = partner_listing(partnership, direct_stock=5, needs_installation=True)
    make_provider(prices={"installation": "80.00"})

    checkout = checkout_with_installation((listing, 1), buyer_name="李伟", buyer_id_number="11010519491231002X")

    extra = CheckoutExtra.objects.get(checkout=checkout)
    assert extra.amount == Money(0, "CNY") and extra.detail["payer"] == "partner" and checkout.extras == Money(0, "CNY")
    order = place_and_pay(checkout)
    ticket = ServiceTicket.objects.get(order=order)
    assert ticket.payer == "partner" and not ticket.paid_in_order and ticket.price == Money("80.00", "CNY")


def test_cancelling_the_paid_order_cancels_its_ticket_and_tells_the_provider(service_shop):
    provider = make_provider()
    washer = installable_variant(service_shop)
    order = place_and_pay(checkout_with_installation((washer, 1)))

    cancels.cancel_order(order=order, reason="changed my mind", by="shopper")

    ticket = ServiceTicket.objects.get()
    assert ticket.status == "cancelled"
    assert Notification.objects.filter(to=provider.email, template="service_cancelled").exists()


def test_the_partners_feed_flag_makes_its_listing_need_installation(monkeypatch):
    from catalog import feed as catalog_feed
    from partner_zone.models import PartnerListing
    from partner_zone.services import sync
    from tests.partner_zone.factories import feed_item, make_partnership
    from tests.partner_zone.test_sync import FakeFeed

    partnership = make_partnership()
    flagged, plain = feed_item(), feed_item()
    flagged["needs_installation"] = True
    monkeypatch.setattr(catalog_feed, "iter_partner_feed", FakeFeed([[flagged, plain]]))

    sync.sync_partnership(partnership)

    assert PartnerListing.objects.get(reference=flagged["id"]).needs_installation is True
    assert PartnerListing.objects.get(reference=plain["id"]).needs_installation is False
