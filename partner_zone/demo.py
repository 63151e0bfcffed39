"""Demo partner zone: exchange rates for pricing, mirroring the partner's catalog, and a festival
campaign proposed by one platform and accepted by the other. Safe to run again."""

import datetime as dt
from pathlib import Path

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
    today = timezone.localdate()
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
        campaigns.accept_campaign(campaign, local_title=campaign.title, banner_text=campaign.title)
        accepted += 1
    return accepted
