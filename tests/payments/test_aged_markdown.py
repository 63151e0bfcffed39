"""An agreed markdown of the partner's aged consignment stock, carried out by the importer: the zone
listing's price drops by the agreed percent (the market's rounding), checkout charges it for the
agreed units, the partner is told only once the price changed, and the exporter bears the markdown
in the ledger (its export price marked down by the same percent). The partner zone is wired as in
production (its AppConfig.ready subscribes to logistics' hook)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from djmoney.money import Money

from crossborder.models import OutboxMessage
from logistics import hooks
from logistics.models import AgedStockAction, StockLevel
from logistics.services import LogisticsError, ageing, stock
from partner_zone.models import Markdown, PartnerListing
from partner_zone.services import markdowns, pricing
from payments.models import LedgerTransaction, Posting
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.logistics.factories import make_level

from .shop_factories import BUYER, cart_with, checkout_of, partner_listing, set_up_shop

pytestmark = pytest.mark.django_db

Status = AgedStockAction.Status


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def aged_listing(shop, *, units=5, days=100):
    """A listing of the `us` partner whose goods are its consignment stock here, `units` received
    `days` ago (past the first threshold, 90 days), shipping from our warehouse."""
    listing = partner_listing(direct_stock=0, local_stock=units, ships_from=PartnerListing.ShipsFrom.LOCAL)
    level = make_level(warehouse=shop, sku=listing.variants[0]["sku"], owner=listing.partnership.partner)
    stock.receive(level, units, reference=f"lot-{level.pk}", at=timezone.now() - dt.timedelta(days=days))
    return listing


def agreed_markdown(listing, percent=30):
    [action] = ageing.review_aged_stock(partnership=listing.partnership)
    ageing.record_aged_decision(
        partnership=listing.partnership,
        payload={
            "reference": str(action.reference),
            "decision": "agreed",
            "action": "markdown",
            "markdown_percent": percent,
        },
    )
    action.refresh_from_db()
    assert (action.status, action.action, action.markdown_percent) == (Status.AGREED, "markdown", percent)
    return action


def carried_out_messages():
    return list(OutboxMessage.objects.filter(message_type=ageing.CARRIED_OUT))


def place_and_pay(listing, quantity):
    checkout = checkout_of(cart_with((listing, quantity)), **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    orders.mark_paid(order=order, payment_reference=f"pay-{order.number}", amount=order.total)
    return order.lines.get()


def test_the_partner_zone_subscribes_to_aged_stock_markdowns_at_start_up():
    assert markdowns.apply_aged_markdown in hooks.aged_stock_markdown.subscribers


def test_a_carried_out_markdown_lowers_the_zone_price_by_the_agreed_percent_rounded_by_the_market(shop):
    listing = aged_listing(shop)
    list_price = listing.price
    action = agreed_markdown(listing, percent=30)

    done = ageing.carry_out(action)

    listing.refresh_from_db()
    expected = pricing.round_price(list_price * Decimal("0.70"))
    assert listing.price == expected and listing.price < list_price and listing.list_price == list_price
    assert listing.price_breakdown["markdown"]["percent"] == 30
    assert listing.price_breakdown["markdown"]["reference"] == str(action.reference)
    action.refresh_from_db()
    assert action.status == Status.DONE and done.quantity == 5
    [told] = carried_out_messages()
    assert told.payload == {"reference": str(action.reference), "action": "markdown", "quantity": 5}


def test_checkout_charges_the_markdown_and_the_exporter_is_credited_its_marked_down_export_price(shop):
    listing = aged_listing(shop)
    ageing.carry_out(agreed_markdown(listing, percent=30))
    listing.refresh_from_db()

    line = place_and_pay(listing, 2)

    assert line.unit_price == listing.price and line.fulfilment == "consignment"
    # The exporter bears the markdown: 20.00 USD export price x 70 % x 2 units.
    assert line.export_amount == Money(Decimal("28.00"), "USD")
    forwarded = OutboxMessage.objects.get(message_type="order.forwarded")
    assert forwarded.payload["lines"][0]["export_amount"] == {"amount": "28.00", "currency": "USD"}
    partner_balance = Posting.objects.filter(partnership=listing.partnership, currency="USD").aggregate(
        total=Sum("amount")
    )["total"]
    # We owe the partner 28.00 less our 8 % commission (2.24), and no campaign share is charged.
    assert partner_balance == Decimal("-25.76")
    assert set(LedgerTransaction.objects.values_list("kind", flat=True)) == {"partner_goods_sale"}
    assert Markdown.objects.get().sold == 2


def test_when_the_marked_down_units_are_sold_the_price_goes_back_up(shop):
    listing = aged_listing(shop, units=6)
    list_price = listing.price
    action = agreed_markdown(listing, percent=25)
    ageing.carry_out(action)
    Markdown.objects.filter(reference=action.reference).update(quantity=2)  # two agreed units, say
    pricing.price_listing(listing)

    place_and_pay(listing, 2)

    listing.refresh_from_db()
    assert listing.price == list_price and "markdown" not in listing.price_breakdown
    assert place_and_pay(listing, 1).export_amount == Money(Decimal("20.00"), "USD")


def test_a_markdown_the_zone_cannot_show_is_refused_and_the_partner_is_not_told(shop):
    listing = aged_listing(shop)
    action = agreed_markdown(listing)
    PartnerListing.objects.filter(pk=listing.pk).update(is_active=False)  # withdrawn from the zone

    with pytest.raises(Exception) as refused:
        ageing.carry_out(action)

    assert listing.variants[0]["sku"] in str(refused.value.detail)
    action.refresh_from_db()
    assert action.status == Status.AGREED
    assert not carried_out_messages() and not Markdown.objects.exists()


def test_without_a_partner_zone_subscribed_a_markdown_is_refused_not_reported_done(shop, monkeypatch):
    listing = aged_listing(shop)
    action = agreed_markdown(listing)
    monkeypatch.setattr(hooks.aged_stock_markdown, "_subscribers", [])

    with pytest.raises(LogisticsError) as refused:
        ageing.carry_out(action)

    assert refused.value.code == "not_wired" and refused.value.status == 503
    action.refresh_from_db()
    assert action.status == Status.AGREED and not carried_out_messages()
    listing.refresh_from_db()
    assert "markdown" not in listing.price_breakdown
    assert StockLevel.objects.get(sku=action.sku).on_hand == 5


def test_the_admin_carries_out_a_markdown_and_reports_one_the_zone_cannot_show(shop, admin_client):
    shown = aged_listing(shop)
    actions = [agreed_markdown(shown)]
    hidden = aged_listing(shop)
    actions.append(agreed_markdown(hidden))
    PartnerListing.objects.filter(pk=hidden.pk).update(is_active=False)

    response = admin_client.post(
        "/admin/logistics/agedstockaction/",
        {"action": "carry_out_agreed", "_selected_action": [action.pk for action in actions]},
        follow=True,
    )

    assert response.status_code == 200
    statuses = dict(AgedStockAction.objects.values_list("sku", "status"))
    assert statuses == {shown.variants[0]["sku"]: Status.DONE, hidden.variants[0]["sku"]: Status.AGREED}
    assert hidden.variants[0]["sku"] in response.content.decode()
