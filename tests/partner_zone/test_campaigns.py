"""Festival campaigns: the partner proposes through the partner API, our ops accept (localised) or
decline, accepted campaigns change zone prices for their dates only, and each sale records the
partner's share of the discount."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from crossborder.models import ExchangeRate, OutboxMessage, Partnership
from partner_zone import rules
from partner_zone.errors import PartnerZoneErrorCode
from partner_zone.models import Campaign, CampaignSale, DutyRule, Festival, FestivalDate, RoundingRule
from partner_zone.services import PartnerZoneError, pricing
from partner_zone.services import campaigns as service
from tests.catalog.factories import make_product
from tests.partners import body_json, table_counts

from .factories import make_listing

FEES = {
    "fx_margin": "0.02",
    "duties_included": "1",
    "zone_fee_per_item": "5",
    "shipping_direct_per_item": "30",
    "max_campaign_share": "50",
    "max_campaign_discount": "40",
}
# Black Friday to Cyber Monday 2026 (Thanksgiving is 26 November).
STARTS, ENDS = dt.date(2026, 11, 27), dt.date(2026, 11, 30)


def moment(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@pytest.fixture(autouse=True)
def shipped_rules(db, settings):
    settings.PLATFORM_COUNTRY, settings.PLATFORM_CURRENCY = "CN", "CNY"
    rules.load(DutyRule=DutyRule, RoundingRule=RoundingRule, Festival=Festival, FestivalDate=FestivalDate)


@pytest.fixture
def partnership(remote):
    """Our live partnership with the simulated `us` partner, with campaign limits in its terms."""
    remote.partnership.fee_schedule = dict(FEES)
    remote.partnership.save()
    ExchangeRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.2"), as_of=moment(STARTS) - dt.timedelta(days=30)
    )
    return remote.partnership


def proposal(listings=(), **overrides):
    payload = {
        "reference": str(uuid.uuid4()),
        "festival": "black-friday",
        "title": "Black Friday deals",
        "starts_on": STARTS.isoformat(),
        "ends_on": ENDS.isoformat(),
        "suggested_discount_percent": "20",
        "partner_share_percent": "50",
        "products": [str(listing.reference) for listing in listings],
    }
    payload.update(overrides)
    return payload


def cny(amount):
    return Money(Decimal(amount), "CNY")


def test_a_proposal_through_the_partner_api_is_recorded_with_its_known_listings(api, remote, partnership):
    listings = [make_listing(partnership) for _ in range(2)]
    payload = proposal(listings)
    payload["products"].append(str(uuid.uuid4()))  # a product we never mirrored

    response = remote.post_message(api, service.PROPOSAL, payload)

    assert response.status_code == 200, response.content
    assert body_json(response)["result"] == {
        "reference": payload["reference"],
        "status": "proposed",
        "listings": 2,
        "unknown_products": 1,
    }
    campaign = Campaign.objects.get(reference=payload["reference"])
    assert campaign.partnership == partnership
    assert campaign.festival.key == "black-friday"
    assert (campaign.starts_on, campaign.ends_on) == (STARTS, ENDS)
    assert campaign.suggested_discount_percent == Decimal("20")
    assert campaign.discount_percent is None
    assert set(campaign.listings.all()) == set(listings)


def test_the_same_proposal_twice_is_recorded_once(partnership):
    payload = proposal([make_listing(partnership)])

    first = service.record_campaign_proposal(partnership=partnership, payload=payload)
    second = service.record_campaign_proposal(partnership=partnership, payload=payload)

    assert first.pk == second.pk
    assert Campaign.objects.count() == 1


def test_a_share_above_the_agreed_one_is_refused_with_the_reason_and_nothing_stored(api, remote, partnership):
    payload = proposal([make_listing(partnership)], partner_share_percent="60")
    before = table_counts()

    response = remote.post_message(api, service.PROPOSAL, payload)

    assert response.status_code == 400
    body = body_json(response)
    assert body["code"] == PartnerZoneErrorCode.DISCOUNT_ABOVE_SHARE
    assert body["field"] == "partner_share_percent"
    assert "60.00%" in body["detail"] and "agreed 50%" in body["detail"]
    after = table_counts()
    after.pop("crossborder.SeenNonce", None)  # the signature's nonce is remembered, as for every request
    before.pop("crossborder.SeenNonce", None)
    assert after == before


def test_a_discount_above_the_agreed_maximum_is_refused(partnership):
    with pytest.raises(PartnerZoneError) as refused:
        service.record_campaign_proposal(partnership=partnership, payload=proposal(suggested_discount_percent="45"))

    assert refused.value.code == PartnerZoneErrorCode.DISCOUNT_ABOVE_SHARE
    assert "above the agreed maximum of 40%" in str(refused.value.detail)
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": "2026-11-20"}, "ends_on"),
        ({"suggested_discount_percent": "95"}, "suggested_discount_percent"),
        ({"suggested_discount_percent": "-1"}, "suggested_discount_percent"),
        ({"partner_share_percent": "101"}, "partner_share_percent"),
        ({"festival": "diwali"}, "festival"),
    ],
)
def test_an_invalid_proposal_is_refused_naming_the_field(partnership, overrides, field):
    with pytest.raises(PartnerZoneError) as refused:
        service.record_campaign_proposal(partnership=partnership, payload=proposal(**overrides))

    assert refused.value.code == PartnerZoneErrorCode.INVALID
    assert refused.value.field == field
    assert not Campaign.objects.exists()


def test_a_proposal_without_a_festival_is_accepted(partnership):
    campaign = service.record_campaign_proposal(partnership=partnership, payload=proposal(festival=None))

    assert campaign.festival is None


def test_an_accepted_campaign_changes_prices_only_within_its_dates(partnership):
    listing = make_listing(partnership, export_price=Money(Decimal("20.00"), "USD"), hs_code="392410")
    other = make_listing(partnership, export_price=Money(Decimal("20.00"), "USD"), hs_code="392410")
    campaign = service.record_campaign_proposal(partnership=partnership, payload=proposal([listing]))

    service.accept_campaign(campaign, local_title="黑五特惠", banner_text="美国好物 8 折", discount_percent="15")

    before = pricing.price_listing(listing, at=moment(STARTS - dt.timedelta(days=1)))
    assert before.price == cny("197.90")
    during = pricing.price_listing(listing, at=moment(STARTS))
    assert during.list_price == cny("197.90")
    assert during.price == cny("167.90")  # 197.90 x 85 % = 168.215, to the nearest price ending in 9
    assert during.price_breakdown["campaign"] == {
        "reference": str(campaign.reference),
        "title": "黑五特惠",
        "banner_text": "美国好物 8 折",
        "discount_percent": "15.00",
        "partner_share_percent": "50.00",
        "ends_on": ENDS.isoformat(),
        "saving": "30.00",
    }
    assert pricing.price_listing(other, at=moment(STARTS)).price == cny("197.90")
    after = pricing.price_listing(listing, at=moment(ENDS + dt.timedelta(days=1)))
    assert after.price == cny("197.90")
    assert "campaign" not in after.price_breakdown


def test_accepting_tells_the_partner_the_agreed_discount(partnership):
    campaign = service.record_campaign_proposal(partnership=partnership, payload=proposal([make_listing(partnership)]))

    service.accept_campaign(campaign)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ACCEPTED
    assert campaign.discount_percent == Decimal("20")  # the suggested one
    message = OutboxMessage.objects.get(message_type=service.DECISION)
    assert message.payload == {
        "reference": str(campaign.reference),
        "decision": "accepted",
        "discount_percent": "20.00",
        "reason": "",
    }


def test_ops_cannot_agree_a_discount_above_the_suggested_one(partnership):
    campaign = service.record_campaign_proposal(partnership=partnership, payload=proposal())

    with pytest.raises(PartnerZoneError) as refused:
        service.accept_campaign(campaign, discount_percent="25")

    assert refused.value.field == "discount_percent"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PROPOSED
    assert not OutboxMessage.objects.filter(message_type=service.DECISION).exists()


def test_declining_sends_the_decision_with_the_reason_and_prices_stay(partnership):
    listing = make_listing(partnership)
    campaign = service.record_campaign_proposal(partnership=partnership, payload=proposal([listing]))

    service.decline_campaign(campaign, reason="Our own Black Friday sale covers these goods.")

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DECLINED
    assert OutboxMessage.objects.get(message_type=service.DECISION).payload == {
        "reference": str(campaign.reference),
        "decision": "declined",
        "discount_percent": None,
        "reason": "Our own Black Friday sale covers these goods.",
    }
    assert "campaign" not in pricing.price_listing(listing, at=moment(STARTS)).price_breakdown
    with pytest.raises(PartnerZoneError) as refused:
        service.accept_campaign(campaign)
    assert refused.value.code == PartnerZoneErrorCode.CAMPAIGN_STATE


def test_a_sale_at_the_campaign_price_records_the_partners_share_of_the_discount(partnership):
    listing = make_listing(partnership, export_price=Money(Decimal("20.00"), "USD"))
    campaign = service.record_campaign_proposal(
        partnership=partnership, payload=proposal([listing], partner_share_percent="33.33")
    )
    service.accept_campaign(campaign, discount_percent="15")
    pricing.price_listing(listing, at=moment(STARTS))

    sale = service.record_campaign_sale(listing=listing, order_line="order-1/line-1", quantity=3, at=moment(STARTS))
    again = service.record_campaign_sale(listing=listing, order_line="order-1/line-1", quantity=3, at=moment(STARTS))

    assert sale.pk == again.pk
    assert sale.campaign == campaign
    assert sale.discount == cny("90.00")  # (197.90 - 167.90) x 3
    assert sale.partner_share == cny("30.00")  # 90 x 33.33 % = 29.997
    assert CampaignSale.objects.count() == 1


def test_a_sale_at_the_list_price_records_nothing(partnership):
    listing = make_listing(partnership, export_price=Money(Decimal("20.00"), "USD"))
    pricing.price_listing(listing)

    assert service.record_campaign_sale(listing=listing, order_line="o-2/1", quantity=1) is None
    assert not CampaignSale.objects.exists()


def test_current_campaigns_are_the_accepted_ones_running_today_on_active_partnerships(partnership):
    running = service.record_campaign_proposal(partnership=partnership, payload=proposal([make_listing(partnership)]))
    service.accept_campaign(running, local_title="黑五")
    service.record_campaign_proposal(partnership=partnership, payload=proposal([make_listing(partnership)]))

    assert list(service.current_campaigns(at=moment(STARTS))) == [running]
    assert list(service.current_campaigns(partnership=partnership, at=moment(ENDS))) == [running]
    assert list(service.current_campaigns(at=moment(ENDS + dt.timedelta(days=1)))) == []
    Partnership.objects.filter(pk=partnership.pk).update(status=Partnership.Status.SUSPENDED)
    assert list(service.current_campaigns(at=moment(STARTS))) == []


# --- the proposer's side --------------------------------------------------------------------------


def test_the_propose_command_sends_the_proposal_and_keeps_our_row(partnership, capsys):
    products = [make_product(), make_product()]

    call_command(
        "propose_campaign",
        "--partner=us",
        "--festival=singles-day",
        "--title=Singles' Day",
        "--starts=2026-11-01",
        "--ends=2026-11-11",
        "--discount=20",
        "--share=50",
        *(f"--product={product.reference}" for product in products),
    )

    campaign = Campaign.objects.get()
    assert "proposed to us" in capsys.readouterr().out
    message = OutboxMessage.objects.get(message_type=service.PROPOSAL)
    assert message.payload == {
        "reference": str(campaign.reference),
        "festival": "singles-day",
        "title": "Singles' Day",
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-11",
        "suggested_discount_percent": "20.00",
        "partner_share_percent": "50.00",
        "products": [str(product.reference) for product in products],
    }


def test_the_propose_command_refuses_unknown_products_and_sends_nothing(partnership):
    with pytest.raises(CommandError, match="Unknown products"):
        call_command(
            "propose_campaign", "--partner=us", "--title=Sale", "--starts=2026-11-01", "--ends=2026-11-11",
            "--discount=10", "--share=50", f"--product={uuid.uuid4()}",
        )  # fmt: skip

    assert not OutboxMessage.objects.exists()
    assert not Campaign.objects.exists()


def test_the_partners_decision_is_recorded_on_our_row_of_the_campaign(api, remote, partnership):
    campaign = service.propose_campaign(
        partnership=partnership, festival="618", title="618", starts_on="2027-06-01", ends_on="2027-06-18",
        discount_percent="20", share_percent="50", products=[make_product().reference],
    )  # fmt: skip

    response = remote.post_message(
        api,
        service.DECISION,
        {"reference": str(campaign.reference), "decision": "accepted", "discount_percent": "15", "reason": ""},
    )

    assert response.status_code == 200, response.content
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ACCEPTED
    assert campaign.discount_percent == Decimal("15")
    assert campaign.decided_at is not None


def test_a_decision_on_a_campaign_we_never_proposed_is_refused(api, remote, partnership):
    response = remote.post_message(
        api, service.DECISION, {"reference": str(uuid.uuid4()), "decision": "declined", "reason": "no"}
    )

    assert response.status_code == 404
    assert body_json(response)["code"] == PartnerZoneErrorCode.UNKNOWN_CAMPAIGN


# --- ops in the admin -----------------------------------------------------------------------------


def test_the_admin_form_refuses_a_discount_above_the_suggested_one(partnership, admin_client, settings):
    settings.LANGUAGE_CODE = "en"  # the admin speaks the platform's language; read it in English here
    campaign = service.record_campaign_proposal(partnership=partnership, payload=proposal())
    url = reverse("admin:partner_zone_campaign_change", args=[campaign.pk])

    response = admin_client.post(url, {"local_title": "黑五", "banner_text": "", "discount_percent": "25"})

    assert response.status_code == 200
    assert "cannot exceed the partner&#x27;s suggested 20.00%" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.local_title == ""


def test_the_admin_accept_action_uses_the_saved_localisation(partnership, admin_client):
    listing = make_listing(partnership, export_price=Money(Decimal("20.00"), "USD"))
    campaign = service.record_campaign_proposal(partnership=partnership, payload=proposal([listing]))
    url = reverse("admin:partner_zone_campaign_change", args=[campaign.pk])
    admin_client.post(url, {"local_title": "黑五特惠", "banner_text": "8 折", "discount_percent": "15"})

    admin_client.post(
        reverse("admin:partner_zone_campaign_changelist"),
        {"action": "accept", "_selected_action": [campaign.pk]},
    )

    campaign.refresh_from_db()
    assert (campaign.status, campaign.local_title, campaign.discount_percent) == (
        Campaign.Status.ACCEPTED,
        "黑五特惠",
        Decimal("15"),
    )
    assert OutboxMessage.objects.get(message_type=service.DECISION).payload["discount_percent"] == "15.00"


def test_the_partner_cannot_decide_on_its_own_proposal_to_us(api, remote, partnership):
    payload = proposal([make_listing(partnership)])
    remote.post_message(api, service.PROPOSAL, payload)

    response = remote.post_message(
        api, service.DECISION, {"reference": payload["reference"], "decision": "accepted", "discount_percent": "20"}
    )

    assert response.status_code == 404
    assert Campaign.objects.get(reference=payload["reference"]).status == Campaign.Status.PROPOSED


def test_the_zone_banner_announces_the_campaign_priced_in_the_zone_not_ours_to_the_partner(partnership):
    """Both sides' accepted campaigns are rows here: the one the partner proposed (on its listings in
    our zone) and ours to it (on our goods in its zone, no listings here). The zone's banner is the
    one its prices show, even when ours started later."""
    from partner_zone import selectors

    today = timezone.localdate()
    terms = {
        "status": Campaign.Status.ACCEPTED,
        "suggested_discount_percent": Decimal("20"),
        "partner_share_percent": Decimal("50"),
        "ends_on": today + dt.timedelta(days=3),
    }
    theirs = Campaign.objects.create(
        partnership=partnership,
        title="Black Friday deals",
        local_title="黑五特惠",
        discount_percent=Decimal("20"),
        starts_on=today - dt.timedelta(days=2),
        **terms,
    )
    theirs.listings.add(make_listing(partnership))
    Campaign.objects.create(
        partnership=partnership,
        title="Singles' Day favourites",
        discount_percent=Decimal("15"),
        starts_on=today,
        **terms,
    )
    selectors.forget_zones()

    banner = selectors.zone(partnership.partner.code).campaign

    assert (banner.local_title, banner.discount_percent) == ("黑五特惠", Decimal("20"))
