"""A partner listing shows the consignment units left to sell: a checkout's hold lowers the
listing's local stock in the checkout's own transaction, and a hold given back (a replaced,
lapsed or cancelled quote, an unpaid order, an expired reservation) raises it again. The stock
service takes every lock, levels then listings, in one order (ADR 0010, 0016). Real threads, each
with its own PostgreSQL connection (DESIGN.md section 6)."""

import datetime as dt

import pytest
from django.utils import timezone

from logistics.models import Reservation, StockLevel
from logistics.services import stock
from partner_zone.models import PartnerListing
from partner_zone.services import sync
from payments.models import Checkout
from payments.shop.services import checkout as checkouts
from tests.logistics.factories import make_level
from tests.payments import shop_factories

from .shop_factories import BUYER, RECIPIENT, cart_with, checkout_of, partner_listing, set_up_shop
from .test_checkout_deadlock import collide, no_conflict_was_retried

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def consigned(shop, *, units, direct_stock=0):
    """A partner listing with `units` of consignment stock in our warehouse, shown as local."""
    listing = partner_listing(direct_stock=direct_stock)
    sku = listing.variants[0]["sku"]
    make_level(warehouse=shop, sku=sku, owner=listing.partnership.partner, on_hand=units)
    sync.refresh_local_stock(listing.partnership, [sku])
    listing.refresh_from_db()
    assert (listing.local_stock, listing.ships_from) == (units, PartnerListing.ShipsFrom.LOCAL)
    return listing


def shown(listing):
    listing.refresh_from_db()
    return listing.local_stock, listing.ships_from


def contact(n):
    return {"recipient": RECIPIENT, "email": f"buyer{n}@example.com", "phone": f"1380013{n:04d}"}


def test_a_checkout_holding_consignment_units_lowers_the_listings_shown_stock_and_a_lapse_raises_it(shop):
    listing = consigned(shop, units=5)

    checkout = checkout_of(cart_with((listing, 2)), **BUYER)

    assert checkout.lines.get().fulfilment == "consignment"
    assert shown(listing) == (3, PartnerListing.ShipsFrom.LOCAL)
    checkouts.expire_checkouts(now=checkout.expires_at + dt.timedelta(seconds=1))
    assert shown(listing) == (5, PartnerListing.ShipsFrom.LOCAL)


def test_holding_the_last_consignment_units_shows_the_listing_shipping_direct_until_they_are_given_back(shop):
    listing = consigned(shop, units=2, direct_stock=4)
    cart = cart_with((listing, 2))

    first = checkout_of(cart, **BUYER)
    assert shown(listing) == (0, PartnerListing.ShipsFrom.DIRECT)

    second = checkout_of(cart, **BUYER)  # the first quote is given back before the new one holds

    first.refresh_from_db()
    assert first.status == Checkout.Status.REPLACED
    assert second.lines.get().fulfilment == "consignment"
    assert shown(listing) == (0, PartnerListing.ShipsFrom.DIRECT)
    listing.refresh_from_db()
    assert listing.direct_stock == 4  # nothing was taken from direct sale


def test_an_unpaid_order_that_lapses_gives_its_consignment_units_back_to_the_listing(shop):
    listing = consigned(shop, units=3)
    checkout = checkout_of(cart_with((listing, 3)), **BUYER)
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    assert shown(listing)[0] == 0

    checkouts.expire_checkouts(now=order.payment_due_at + dt.timedelta(seconds=1))

    assert shown(listing) == (3, PartnerListing.ShipsFrom.LOCAL)


def test_a_checkout_hold_expired_by_the_warehouse_raises_the_listings_shown_stock(shop):
    listing = consigned(shop, units=4)
    checkout = checkout_of(cart_with((listing, 4)), **BUYER)
    assert shown(listing)[0] == 0

    released = stock.expire_reservations(now=timezone.now() + dt.timedelta(days=1))

    assert released == 1
    assert shown(listing) == (4, PartnerListing.ShipsFrom.LOCAL)
    assert Reservation.objects.get(pk=checkout.lines.get().reservation_id).status == "expired"


def test_twelve_buyers_for_five_consignment_units_leave_the_listing_showing_none(shop, caplog):
    listing = consigned(shop, units=5)
    carts = [cart_with((listing, 1)) for _ in range(12)]

    def buy(n):
        checkout = shop_factories.start_checkout(cart=carts[n], **contact(n), **BUYER)
        checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))

    results = collide(range(12), buy)

    assert results.count("ordered") == 5, results
    assert set(results) == {"ordered", "insufficient_stock"}, results
    level = StockLevel.objects.get(sku=listing.variants[0]["sku"])
    assert (level.on_hand, level.reserved) == (5, 5)
    assert shown(listing) == (0, PartnerListing.ShipsFrom.DIRECT)
    assert no_conflict_was_retried(caplog)


def test_buyers_of_consignment_and_direct_goods_in_opposite_orders_queue_and_each_listing_shows_its_units(shop, caplog):
    """Each buyer holds one listing's consignment units and the other's direct units, in opposite
    orders: the levels, then the listings by id, are locked in one order, so nobody waits on a
    lock another holds while waiting on theirs."""
    for turn in range(4):
        first, second = consigned(shop, units=6), partner_listing(direct_stock=6)
        third = consigned(shop, units=6)
        goods = [first, second, third]
        carts = [cart_with(*((item, 1) for item in (goods if n % 2 else goods[::-1]))) for n in range(4)]

        def again(n, carts=carts, turn=turn):
            shop_factories.start_checkout(cart=carts[n], **contact(turn * 100 + n), **BUYER)
            shop_factories.start_checkout(cart=carts[n], **contact(turn * 100 + n), **BUYER)  # replaces the first

        results = collide(range(4), again)

        assert results == ["ordered"] * 4, results
        assert shown(first) == shown(third) == (2, PartnerListing.ShipsFrom.LOCAL)
        second.refresh_from_db()
        assert second.direct_stock == 2
    assert no_conflict_was_retried(caplog)
