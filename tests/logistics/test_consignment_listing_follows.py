"""A stock-take adjustment or a write-off of a partner's consignment units shows on the partner
zone's listing at once, in the same transaction (logistics.hooks.checkout_stock_changed, the
production subscriber of the partner zone), not at the next catalog sync."""

import pytest

from logistics.services import stock
from partner_zone.models import PartnerListing
from partner_zone.services import sync
from tests.logistics.factories import make_level
from tests.payments.shop_factories import partner_listing, set_up_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def consigned(settings):
    """A partner listing with 5 consignment units in our warehouse, shown as local, and its level."""
    warehouse = set_up_shop(settings)
    listing = partner_listing(direct_stock=0)
    sku = listing.variants[0]["sku"]
    level = make_level(warehouse=warehouse, sku=sku, owner=listing.partnership.partner, on_hand=5)
    sync.refresh_local_stock(listing.partnership, [sku])
    return listing, level


def shown(listing):
    listing.refresh_from_db()
    return listing.local_stock, listing.ships_from


def test_a_write_off_of_consignment_units_lowers_the_listings_shown_stock_at_once(consigned):
    listing, level = consigned
    assert shown(listing) == (5, PartnerListing.ShipsFrom.LOCAL)

    stock.write_off(level, 2, reason="damaged in the warehouse")

    assert shown(listing) == (3, PartnerListing.ShipsFrom.LOCAL)


def test_a_stock_take_adjustment_moves_the_listings_shown_stock_both_ways(consigned):
    listing, level = consigned

    stock.adjust(level, 3, reason="found on another shelf")
    assert shown(listing) == (8, PartnerListing.ShipsFrom.LOCAL)

    stock.adjust(level, -8, reason="counted none")
    assert shown(listing)[0] == 0
    assert shown(listing)[1] != PartnerListing.ShipsFrom.LOCAL
