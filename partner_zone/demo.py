"""Demo partner zone: exchange rates for pricing, mirroring the partner's catalog, and a festival
campaign proposed by one platform and accepted by the other. Safe to run again."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from catalog.models import ExportOffer
from crossborder.models import Partner

from .models import Campaign
from .services import campaigns, pricing, sync

DEMO_RATES = Path(__file__).resolve().parent / "data" / "eurofxref-demo.xml"
CAMPAIGN_PRODUCTS = 24
# The festival each demo platform promotes in its partner's zone.
FESTIVALS = {
    "us": ("black-friday", "Black Friday: Trailhead Goods deals", 20, 50),
    "cn": ("singles-day", "双十一 宝贝好物节 / Singles' Day favourites", 15, 50),
    "jp": ("golden-week", "ゴールデンウィーク / Golden Week: Sakura Market picks", 15, 50),
}
# How the accepting platform's ops localise the partner's festival for their shoppers: a title and
# a banner in the storefront's language that say which goods carry the discount the prices show.
_ON_CAMPAIGN = {
    "zh-hans": "标有“活动”的商品参加,页面价格已含折扣",
    "en": "On goods marked “Campaign”; prices shown include it",
    "ja": "「キャンペーン」の付いた商品が対象です。表示価格は割引後の価格です",
}
LOCAL_TEXTS = {
    "black-friday": {
        "zh-hans": ("黑色星期五:Trailhead Goods 特惠", _ON_CAMPAIGN["zh-hans"]),
        "ja": ("ブラックフライデー:Trailhead Goods セール", _ON_CAMPAIGN["ja"]),
    },
    "singles-day": {
        "en": ("Singles' Day: Bao Bei Mall favourites", _ON_CAMPAIGN["en"]),
        "ja": ("独身の日:Bao Bei Mall のおすすめ", _ON_CAMPAIGN["ja"]),
    },
    "golden-week": {
        "zh-hans": ("黄金周:Sakura Market 精选", _ON_CAMPAIGN["zh-hans"]),
        "en": ("Golden Week: Sakura Market picks", _ON_CAMPAIGN["en"]),
    },
}


def ensure_rates():
    """ECB reference rates of a recent day (bundled, so the demo needs no internet)."""
    return pricing.import_ecb_rates(DEMO_RATES.read_bytes())


def mirror(partner_code):
    """Sync the partner's catalog feed into our zone and price it; returns the sync run."""
    partnership = Partner.objects.get(code=partner_code).live_partnership()
    run = sync.sync_partnership(partnership)
    pricing.reprice_all(partnership=partnership)
    return run


def propose_festival_campaign(partner_code, platform_code):
    """Propose our festival campaign on a share of the goods we offer the partner (once)."""
    partnership = Partner.objects.get(code=partner_code).live_partnership()
    festival, title, discount, share = FESTIVALS.get(platform_code, FESTIVALS["us"])
    # Our own proposal carries our title; the partner's proposals to us carry theirs.
    if partnership is None or Campaign.objects.filter(partnership=partnership, title=title).exists():
        return None
    references = list(
        ExportOffer.objects.filter(partnership=partnership, is_offered=True, product__status="active")
        .order_by("product__code")
        .values_list("product__reference", flat=True)[:CAMPAIGN_PRODUCTS]
    )
    # From yesterday: the partner's calendar day may still be ours minus one (time zones).
    today = timezone.localdate() - dt.timedelta(days=1)
    return campaigns.propose_campaign(
        partnership=partnership,
        festival=festival,
        title=title,
        starts_on=today,
        ends_on=today + dt.timedelta(days=6),
        discount_percent=discount,
        share_percent=share,
        products=[str(reference) for reference in references],
    )


def accept_proposals(partner_code):
    """Our ops accept the partner's proposed campaigns with a local title; returns how many."""
    partnership = Partner.objects.get(code=partner_code).live_partnership()
    accepted = 0
    for campaign in Campaign.objects.filter(partnership=partnership, status=Campaign.Status.PROPOSED):
        if not campaign.listings.exists():
            continue  # our own proposal to the partner, waiting for their decision
        texts = LOCAL_TEXTS.get(campaign.festival.key if campaign.festival else "", {})
        title, banner = texts.get(settings.LANGUAGE_CODE, (campaign.title, ""))
        campaigns.accept_campaign(campaign, local_title=title, banner_text=banner)
        accepted += 1
    return accepted
