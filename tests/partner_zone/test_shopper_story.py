"""The partner zone's whole story on the cn platform, through its services and pages: the us
partner's feed is mirrored and priced in yuan with China's cross-border import taxes included;
a shopper reads the zone in Chinese, finds a product by a Chinese search, is recommended partner
goods from what they viewed; a Black Friday campaign that us proposes through the partner API and
cn ops accept changes those prices for its dates only."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from crossborder.models import ExchangeRate
from partner_zone import rules
from partner_zone.models import DutyRule, Festival, FestivalDate, PartnerListing, RoundingRule
from partner_zone.services import campaigns, pricing, sync

from .factories import feed_item

pytestmark = pytest.mark.django_db

FEES = {
    "fx_margin": "0.02",
    "duties_included": "1",
    "zone_fee_per_item": "5",
    "shipping_direct_per_item": "30",
    "max_campaign_share": "50",
    "max_campaign_discount": "40",
}
BLACK_FRIDAY, CYBER_MONDAY = dt.date(2026, 11, 27), dt.date(2026, 11, 30)
BOTTLES = 564  # Baby & Toddler > Nursing & Feeding > Baby Bottles
TENTS = 1022


def noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def item(en, zh, category, usd):
    return feed_item(
        texts={"en": {"title": en, "description": ""}, "zh-hans": {"title": zh, "description": ""}},
        category={"taxonomy_id": category, "path_en": ""},
        export_price={"amount": usd, "currency": "USD"},
        hs_code="392410",
    )


def cards(html):
    """References of the zone product links on a page, in order."""
    return re.findall(r'href="/zone/us/p/([0-9a-f-]{36})/"', html)


@pytest.fixture
def zone(remote, settings, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE, settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY = "zh-hans", "CN", "CNY"
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)
    remote.partnership.fee_schedule = dict(FEES)
    remote.partnership.save()
    ExchangeRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.2"), as_of=noon(BLACK_FRIDAY) - dt.timedelta(90)
    )
    items = {
        "wide": item("Wide-neck baby bottle 240 ml", "宽口径婴儿奶瓶 240毫升", BOTTLES, "20.00"),
        "glass": item("Anti-colic glass baby bottle", "防胀气玻璃婴儿奶瓶", BOTTLES, "18.00"),
        "travel": item("Travel baby bottle set", "旅行婴儿奶瓶套装", BOTTLES, "25.00"),
        "tent": item("Two-person hiking tent", "户外双人登山帐篷", TENTS, "120.00"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        sync.apply_page(remote.partnership, list(items.values()))  # priced as the page is written
    return {key: PartnerListing.objects.get(reference=value["id"]) for key, value in items.items()}


def test_a_cn_shopper_reads_the_us_zone_in_chinese_with_taxes_in_yuan_searches_is_recommended_and_black_friday_applies(
    zone, client, api, remote
):
    wide = zone["wide"]
    # Priced in yuan, China's cross-border retail import VAT included in the shown price.
    assert wide.price.currency.code == "CNY" and wide.price_breakdown["duties_included"] is True
    assert Decimal(wide.price_breakdown["vat"]) > 0 and wide.price.amount > wide.export_price.amount * Decimal("7.2")

    landing = client.get("/zone/us/").content.decode()
    assert '<html lang="zh-hans">' in landing and "宽口径婴儿奶瓶 240毫升" in landing
    product = client.get(f"/zone/us/p/{wide.reference}/").content.decode()
    assert "税费" in product or "关税" in product  # the breakdown, in Chinese
    assert f"{wide.price.amount:,}" in product and "¥" in product

    found = cards(client.get("/zone/us/search/", {"q": "奶瓶"}).content.decode())
    assert str(wide.reference) in found and str(zone["tent"].reference) not in found

    # Having looked at two bottles, the home page recommends the third, with its reason.
    client.get(f"/zone/us/p/{zone['glass'].reference}/")
    home = client.get("/").content.decode()
    recommended = re.findall(r'class="card recommendation" data-reference="([0-9a-f-]{36})"', home)
    assert str(zone["travel"].reference) in recommended and str(zone["tent"].reference) not in recommended

    # us proposes Black Friday for the bottle; cn ops accept it at 20 %.
    payload = {
        "reference": "7f0e1c7a-1b51-4d4b-9d84-2f7b8c2f0a11",
        "festival": "black-friday",
        "title": "Black Friday deals",
        "starts_on": BLACK_FRIDAY.isoformat(),
        "ends_on": CYBER_MONDAY.isoformat(),
        "suggested_discount_percent": "20",
        "partner_share_percent": "50",
        "products": [str(wide.reference)],
    }
    assert remote.post_message(api, campaigns.PROPOSAL, payload).status_code == 200
    campaign = remote.partnership.campaigns.get(reference=payload["reference"])
    campaigns.accept_campaign(campaign, local_title="黑色星期五", banner_text="美国好物限时八折", discount_percent="20")
    list_price = wide.price

    pricing.reprice_all(at=noon(BLACK_FRIDAY))
    wide.refresh_from_db()
    assert wide.price < list_price and wide.list_price == list_price
    assert f"{wide.price.amount:,}" in client.get(f"/zone/us/p/{wide.reference}/").content.decode()
    assert zone["glass"].price == PartnerListing.objects.get(pk=zone["glass"].pk).price  # not in the campaign

    pricing.reprice_all(at=noon(CYBER_MONDAY + dt.timedelta(days=1)))
    wide.refresh_from_db()
    assert wide.price == list_price
