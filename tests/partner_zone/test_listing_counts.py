"""The zone's kept counts (ZoneCategoryCount: shown listings per category and shipping origin) stay
equal to a count of the listings through every kind of write (a sync page's COPY and upsert, a
retirement, pricing, a stock change, a category move, a deletion), in the writer's transaction, so
the category pages can add them up instead of counting the listings."""

import pytest
from django.db import transaction
from djmoney.money import Money

from catalog import search
from partner_zone import selectors
from partner_zone.models import PartnerListing, ZoneCategoryCount
from partner_zone.services import sync
from tests.partner_zone.factories import feed_item, feed_tombstone, make_listing, make_partnership

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not search.uses_postgres(), reason="kept by PostgreSQL triggers; SQLite counts the listings"),
]

BABY_BOTTLES = 564
NURSING_AND_FEEDING = 561
TENTS = 1022
PRICE = Money("99.00", "CNY")


def counted(partnership):
    """(kept counts, a fresh count of the listings), each as {(category, ships_from): n}."""
    kept = {
        (row.category_id, row.ships_from): row.listings
        for row in ZoneCategoryCount.objects.filter(partnership=partnership)
        if row.listings
    }
    fresh = {}
    for category_id, ships_from in selectors.zone_listings(partnership).values_list("category_id", "ships_from"):
        fresh[(category_id, ships_from)] = fresh.get((category_id, ships_from), 0) + 1
    return kept, fresh


def test_the_kept_counts_follow_inserts_prices_retirements_moves_stock_and_deletes():
    us = make_partnership()
    bottles = [make_listing(us, category_id=BABY_BOTTLES, price=PRICE) for _ in range(3)]
    tent = make_listing(us, category_id=TENTS, price=PRICE)
    kept, fresh = counted(us)
    assert kept == fresh == {(BABY_BOTTLES, "direct"): 3, (TENTS, "direct"): 1}

    PartnerListing.objects.filter(pk=bottles[0].pk).update(is_active=False)  # retired
    PartnerListing.objects.filter(pk=bottles[1].pk).update(price=None)  # not priced any more
    PartnerListing.objects.filter(pk=tent.pk).update(category_id=NURSING_AND_FEEDING)  # moved
    bottles[2].ships_from = PartnerListing.ShipsFrom.LOCAL
    PartnerListing.objects.bulk_update([bottles[2]], ["ships_from"])  # stock arrived here
    kept, fresh = counted(us)
    assert kept == fresh == {(BABY_BOTTLES, "local"): 1, (NURSING_AND_FEEDING, "direct"): 1}

    PartnerListing.objects.filter(pk=bottles[1].pk).update(price=Money("12.00", "CNY"))  # priced again
    PartnerListing.objects.filter(pk=tent.pk).delete()
    kept, fresh = counted(us)
    assert kept == fresh == {(BABY_BOTTLES, "local"): 1, (BABY_BOTTLES, "direct"): 1}


def test_a_write_rolled_back_leaves_the_counts_as_they_were():
    us = make_partnership()
    make_listing(us, category_id=BABY_BOTTLES, price=PRICE)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_listing(us, category_id=BABY_BOTTLES, price=PRICE)
        raise RuntimeError("the page failed")
    kept, fresh = counted(us)
    assert kept == fresh == {(BABY_BOTTLES, "direct"): 1}


def test_a_sync_of_new_changed_and_withdrawn_listings_keeps_the_counts_of_what_the_zone_shows():
    us = make_partnership()
    items = [feed_item() for _ in range(4)]
    sync.apply_page(us, items)
    kept, fresh = counted(us)
    assert kept == fresh and sum(fresh.values()) == selectors.zone_listings(us).count()

    tents = {"taxonomy_id": TENTS, "path_en": "Sporting Goods > Outdoor Recreation > Camping & Hiking > Tents"}
    moved = dict(items[0], version=2, category=tents)
    sync.apply_page(us, [moved, feed_tombstone(items[1]["id"], version=2)])
    kept, fresh = counted(us)
    assert kept == fresh
    assert selectors.shown_counts(us) == selectors.category_counts(selectors.zone_listings(us))
    assert selectors.shown_counts(us, category_ids=[TENTS]) == selectors.category_counts(
        selectors.zone_listings(us).filter(category_id=TENTS)
    )
