"""One campaign story per zone (ADR 0026): the banner says exactly the campaign whose discount the
prices carry, its percent and on which goods, because one selector (selectors.campaign_story)
decides both. Our own proposal to the partner (a row without goods here) never shows in our zone;
where two of the partner's campaigns overlap, only the story's goods are discounted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from partner_zone import selectors
from partner_zone.models import Campaign, PartnerListing
from partner_zone.services import campaigns as service
from partner_zone.services import pricing

from .factories import make_listing
from .test_campaigns import FEES, partnership, proposal, shipped_rules  # noqa: F401 (fixtures)

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _fresh_zone_cache():
    selectors.forget_zones()
    cache.clear()
    yield
    selectors.forget_zones()
    cache.clear()


def running(**overrides):
    today = TODAY()
    return proposal(starts_on=today.isoformat(), ends_on=(today + dt.timedelta(days=3)).isoformat(), **overrides)


def accept(partnership, listings, percent, title):  # noqa: F811
    campaign = service.record_campaign_proposal(
        partnership=partnership, payload=running(listings=listings, suggested_discount_percent=str(percent))
    )
    return service.accept_campaign(campaign, local_title=title, banner_text=title, discount_percent=str(percent))


def our_own_proposal_row(partnership):  # noqa: F811
    """The row of OUR proposal to the partner (Singles' Day on our goods there), accepted by it:
    it has no goods in our zone."""
    return Campaign.objects.create(
        partnership=partnership,
        status=Campaign.Status.ACCEPTED,
        title="Singles' Day favourites",
        starts_on=TODAY(),
        ends_on=TODAY() + dt.timedelta(days=6),
        suggested_discount_percent=Decimal("15"),
        discount_percent=Decimal("15"),
        partner_share_percent=Decimal("50"),
    )


def test_the_banner_announces_the_campaign_the_prices_carry_not_our_own_proposal(partnership):  # noqa: F811
    local = [make_listing(partnership, ships_from=PartnerListing.ShipsFrom.LOCAL) for _ in range(2)]
    direct = make_listing(partnership, ships_from=PartnerListing.ShipsFrom.DIRECT)
    our_own_proposal_row(partnership)
    black_friday = accept(partnership, local, 20, "黑五特惠")
    pricing.price_listings([*(item.pk for item in local), direct.pk])

    banner = selectors.zone(partnership.partner.code).campaign

    assert banner.local_title == "黑五特惠" and banner.discount_percent == Decimal("20")
    assert banner.reference == str(black_friday.reference)
    assert banner.goods == 2 and banner.local_only  # on which goods: the two from our warehouse
    for item in local:
        item.refresh_from_db()
        assert item.price_breakdown["campaign"]["reference"] == banner.reference
        assert item.price < item.list_price
    direct.refresh_from_db()
    assert "campaign" not in direct.price_breakdown and direct.price == direct.list_price


def test_where_two_campaigns_overlap_only_the_story_discounts_and_the_banner_says_which(partnership):  # noqa: F811
    small, large = make_listing(partnership), make_listing(partnership)
    accept(partnership, [small], 10, "十分之一")
    story = accept(partnership, [large], 20, "黑五特惠")
    pricing.price_listings([small.pk, large.pk])
    small.refresh_from_db()
    large.refresh_from_db()

    banner = selectors.zone(partnership.partner.code).campaign

    assert banner.reference == str(story.reference) and banner.discount_percent == Decimal("20")
    assert banner.goods == 1 and not banner.local_only
    assert large.price_breakdown["campaign"]["reference"] == banner.reference
    assert "campaign" not in small.price_breakdown and small.price == small.list_price


def test_the_landing_banner_and_the_product_page_tell_the_same_campaign_and_percent(client, partnership):  # noqa: F811
    item = make_listing(partnership, ships_from=PartnerListing.ShipsFrom.LOCAL)
    our_own_proposal_row(partnership)
    accept(partnership, [item], 20, "黑五特惠")
    pricing.price_listings([item.pk])
    code = partnership.partner.code

    with translation.override("en"):
        landing = client.get(reverse("partner_zone:landing", args=[code])).content.decode()
        product = client.get(reverse("partner_zone:product", args=[code, item.reference])).content.decode()

    assert "Singles" not in landing and "Singles" not in product
    # An English reader of a Chinese storefront reads the partner's own title in the banner, never
    # our ops' Chinese one inside an English line.
    assert 'data-discount="20"' in landing and "Black Friday deals" in landing
    assert "on 1 product shipped from our local warehouse" in landing
    assert "黑五特惠: 20% off" in product and 'data-part="discount"' in product
