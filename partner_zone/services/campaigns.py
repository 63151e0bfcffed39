"""Festival campaigns agreed between the platforms. The exporting partner proposes a campaign on its
goods for a festival (dates, goods, suggested discount, its share of the discount) through the
partner API; our ops accept it (with their own title, banner text and a discount no larger than
suggested) or decline it, and the decision goes back. While an accepted campaign runs, its listings
are priced at the discount (pricing); each sale records the discount and the partner's share of it
for settlement.

Both sides keep a Campaign row with the same reference: the proposer's row (no listings: the goods
are its own products) records the decision it receives."""

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from catalog.models import Product
from crossborder import money
from crossborder.models import OutboxMessage, Partnership
from crossborder.services import send_to_partner
from crossborder.terms import TermsError

from .. import selectors
from ..errors import PartnerZoneErrorCode as Code
from ..models import Campaign, CampaignSale, Festival, PartnerListing
from . import PartnerZoneError, pricing

PROPOSAL = "campaign.proposal"
DECISION = "campaign.decision"

MAX_DISCOUNT = Decimal("90")  # a proposal above this is nonsense whatever the agreement says
# The agreed limits (and their defaults) are Terms.max_campaign_discount and max_campaign_share.
MAX_PRODUCTS = 10_000
PERCENT_PLACES = 2  # a discount or share percent: 12.50 at most

Status = Campaign.Status


def _invalid(message, field):
    return PartnerZoneError(Code.INVALID, message, field=field)


def _percent(value, field, *, high):
    try:
        percent = Decimal(str(value))
    except (InvalidOperation, TypeError):
        percent = None
    if percent is None or not percent.is_finite() or percent < 0 or percent > high:
        raise _invalid(
            _("%(field)s must be a number from 0 to %(high)s, not %(value)r.")
            % {"field": field, "high": high, "value": value},
            field,
        )
    if percent != money.round_to(percent, PERCENT_PLACES):
        raise _invalid(_("%(field)s has at most two decimals.") % {"field": field}, field)
    return money.round_to(percent, PERCENT_PLACES)


def _date(value, field):
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _invalid(
            _("%(field)s must be a date YYYY-MM-DD, not %(value)r.") % {"field": field, "value": value}, field
        ) from None


def agreed_limits(partnership):
    """(max discount %, max partner share %) the agreement allows for campaigns (Terms)."""
    try:
        terms = partnership.terms
        return terms.max_campaign_discount, terms.max_campaign_share
    except TermsError as exc:
        raise _invalid(exc.detail, f"fee_schedule.{exc.key}") from exc


def _festival(key):
    if key in (None, ""):
        return None
    festival = Festival.objects.filter(key=key).first()
    if festival is None:
        raise _invalid(_("Unknown festival %(key)r.") % {"key": key}, "festival")
    return festival


def _validated_terms(*, festival, title, starts_on, ends_on, discount, share):
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise _invalid(_("A campaign needs a title of at most 200 characters."), "title")
    starts_on, ends_on = _date(starts_on, "starts_on"), _date(ends_on, "ends_on")
    if ends_on < starts_on:
        raise _invalid(
            _("The campaign ends (%(ends)s) before it starts (%(starts)s).") % {"ends": ends_on, "starts": starts_on},
            "ends_on",
        )
    return {
        "festival": _festival(festival),
        "title": title,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "suggested_discount_percent": _percent(discount, "suggested_discount_percent", high=MAX_DISCOUNT),
        "partner_share_percent": _percent(share, "partner_share_percent", high=Decimal(100)),
    }


def _within_agreement(partnership, *, discount, share):
    max_discount, max_share = agreed_limits(partnership)
    if share > max_share:
        raise PartnerZoneError(
            Code.DISCOUNT_ABOVE_SHARE,
            _("The partner's share of the discount (%(share)s%%) is above the agreed %(max)s%%.")
            % {"share": share, "max": max_share},
            field="partner_share_percent",
        )
    if discount > max_discount:
        raise PartnerZoneError(
            Code.DISCOUNT_ABOVE_SHARE,
            _("The discount (%(discount)s%%) is above the agreed maximum of %(max)s%%.")
            % {"discount": discount, "max": max_discount},
            field="suggested_discount_percent",
        )


# --- the proposer's side --------------------------------------------------------------------------


@transaction.atomic
def propose_campaign(
    *, partnership, festival, title, starts_on, ends_on, discount_percent, share_percent, products, reference=None
):
    """Propose a campaign on our goods in the partner's zone: keep our own Campaign row and queue
    the proposal message (outbox) in the same transaction. `products` are our products'
    references (the ids of our catalog feed)."""
    if not partnership.is_live:
        raise PartnerZoneError(
            Code.PARTNERSHIP_NOT_LIVE, _("Campaigns go only to live partnerships."), field="partner", status=409
        )
    terms = _validated_terms(
        festival=festival, title=title, starts_on=starts_on, ends_on=ends_on, discount=discount_percent,
        share=share_percent,
    )  # fmt: skip
    _within_agreement(partnership, discount=terms["suggested_discount_percent"], share=terms["partner_share_percent"])
    try:
        references = list(dict.fromkeys(str(uuid.UUID(str(ref))) for ref in products))
    except ValueError:
        raise _invalid(_("Products are named by their reference (a UUID)."), "products") from None
    if not references or len(references) > MAX_PRODUCTS:
        raise _invalid(_("A campaign names 1 to %(max)s products.") % {"max": MAX_PRODUCTS}, "products")
    known = {str(ref) for ref in Product.objects.filter(reference__in=references).values_list("reference", flat=True)}
    unknown = [ref for ref in references if ref not in known]
    if unknown:
        raise _invalid(_("Unknown products: %(refs)s.") % {"refs": ", ".join(unknown[:10])}, "products")
    campaign = Campaign.objects.create(partnership=partnership, reference=reference or uuid.uuid4(), **terms)
    send_to_partner(
        partnership,
        PROPOSAL,
        {
            "reference": str(campaign.reference),
            "festival": campaign.festival.key if campaign.festival else None,
            "title": campaign.title,
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
            "suggested_discount_percent": str(campaign.suggested_discount_percent),
            "partner_share_percent": str(campaign.partner_share_percent),
            "products": references,
        },
    )
    return campaign


@transaction.atomic
def record_campaign_decision(*, partnership, payload):
    """The partner decided on our proposal: record it on our row of the campaign."""
    reference = str(payload["reference"])
    campaign = Campaign.objects.select_for_update().filter(partnership=partnership, reference=reference).first()
    # Only a campaign WE proposed takes the partner's decision: the partner must not decide on its
    # own proposal to us. What we proposed is what our outbox sent (Campaign has no side field).
    proposed_by_us = OutboxMessage.objects.filter(
        partnership=partnership, message_type=PROPOSAL, payload__reference=reference
    ).exists()
    if campaign is None or not proposed_by_us:
        raise PartnerZoneError(
            Code.UNKNOWN_CAMPAIGN,
            _("We proposed no campaign %(reference)s.") % {"reference": payload["reference"]},
            field="reference",
            status=404,
        )
    accepted = payload["decision"] == "accepted"
    campaign.status = Status.ACCEPTED if accepted else Status.DECLINED
    campaign.discount_percent = payload.get("discount_percent") if accepted else None
    campaign.decline_reason = "" if accepted else (payload.get("reason") or "")[:300]
    campaign.decided_at = timezone.now()
    campaign.save(update_fields=["status", "discount_percent", "decline_reason", "decided_at"])
    return campaign


# --- our side: the partner's proposals and our decisions ------------------------------------------


def record_campaign_proposal(*, partnership, payload):
    """Record the partner's campaign proposal (idempotent per reference): validated field by field,
    refused with DISCOUNT_ABOVE_SHARE when it asks more than the agreement allows. Its listings are
    matched by the partner's product ids; unknown ones are ignored and counted
    (`campaign.unknown_products`)."""
    products = list(dict.fromkeys(str(ref) for ref in payload.get("products") or []))
    with transaction.atomic():
        existing = Campaign.objects.filter(partnership=partnership, reference=payload["reference"]).first()
        if existing is not None:
            existing.unknown_products = len(products) - existing.listings.count()
            return existing
        terms = _validated_terms(
            festival=payload.get("festival"), title=payload.get("title"), starts_on=payload.get("starts_on"),
            ends_on=payload.get("ends_on"), discount=payload.get("suggested_discount_percent"),
            share=payload.get("partner_share_percent"),
        )  # fmt: skip
        _within_agreement(
            partnership, discount=terms["suggested_discount_percent"], share=terms["partner_share_percent"]
        )
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(partnership=partnership, reference=payload["reference"], **terms)
        except IntegrityError:  # the same proposal recorded concurrently
            campaign = Campaign.objects.get(partnership=partnership, reference=payload["reference"])
            campaign.unknown_products = len(products) - campaign.listings.count()
            return campaign
        listing_ids = list(
            PartnerListing.objects.filter(partnership=partnership, reference__in=products).values_list("pk", flat=True)
        )
        campaign.listings.add(*listing_ids)
    campaign.unknown_products = len(products) - len(listing_ids)
    return campaign


def validate_agreed_discount(campaign, discount_percent):
    """The discount ops may agree: from 0 to the suggested one, within the agreement."""
    discount = _percent(discount_percent, "discount_percent", high=MAX_DISCOUNT)
    if discount > campaign.suggested_discount_percent:
        raise _invalid(
            _("The discount (%(discount)s%%) cannot exceed the partner's suggested %(suggested)s%%.")
            % {"discount": discount, "suggested": campaign.suggested_discount_percent},
            "discount_percent",
        )
    _within_agreement(campaign.partnership, discount=discount, share=campaign.partner_share_percent)
    return discount


def _decision_payload(campaign, decision, reason=""):
    return {
        "reference": str(campaign.reference),
        "decision": decision,
        "discount_percent": str(campaign.discount_percent) if campaign.discount_percent is not None else None,
        "reason": reason,
    }


def _locked(campaign, allowed):
    locked = Campaign.objects.select_for_update().select_related("partnership").get(pk=campaign.pk)
    if locked.status not in allowed:
        raise PartnerZoneError(
            Code.CAMPAIGN_STATE,
            _("The campaign is %(status)s; this needs it %(allowed)s.")
            % {"status": locked.get_status_display(), "allowed": " / ".join(str(Status(s).label) for s in allowed)},
            status=409,
        )
    return locked


@transaction.atomic
def accept_campaign(campaign, *, local_title="", banner_text="", discount_percent=None, actor=None):
    """Accept (or re-localise an accepted) campaign with our title, banner text and a discount no
    larger than suggested; reprice its listings and tell the partner."""
    campaign = _locked(campaign, (Status.PROPOSED, Status.ACCEPTED))
    discount = validate_agreed_discount(
        campaign, campaign.suggested_discount_percent if discount_percent in (None, "") else discount_percent
    )
    local_title, banner_text = (local_title or "").strip(), (banner_text or "").strip()
    if len(local_title) > 200:
        raise _invalid(_("Our title has at most 200 characters."), "local_title")
    if len(banner_text) > 300:
        raise _invalid(_("The banner text has at most 300 characters."), "banner_text")
    campaign.status = Status.ACCEPTED
    campaign.discount_percent = discount
    campaign.local_title, campaign.banner_text = local_title, banner_text
    campaign.decline_reason = ""
    campaign.decided_at = timezone.now()
    campaign.save(
        update_fields=["status", "discount_percent", "local_title", "banner_text", "decline_reason", "decided_at"]
    )
    send_to_partner(campaign.partnership, DECISION, _decision_payload(campaign, "accepted"))
    pricing.reprice_affected(listing_ids=campaign.listings.values_list("pk", flat=True))
    return campaign


@transaction.atomic
def decline_campaign(campaign, *, reason, actor=None):
    """Decline a proposed campaign (or withdraw an accepted one) with the reason the partner gets."""
    reason = (reason or "").strip()
    if not reason:
        raise _invalid(_("Say why the campaign is declined."), "reason")
    campaign = _locked(campaign, (Status.PROPOSED, Status.ACCEPTED))
    was_accepted = campaign.status == Status.ACCEPTED
    campaign.status = Status.DECLINED
    campaign.discount_percent = None
    campaign.decline_reason = reason[:300]
    campaign.decided_at = timezone.now()
    campaign.save(update_fields=["status", "discount_percent", "decline_reason", "decided_at"])
    send_to_partner(campaign.partnership, DECISION, _decision_payload(campaign, "declined", campaign.decline_reason))
    if was_accepted:
        pricing.reprice_affected(listing_ids=campaign.listings.values_list("pk", flat=True))
    return campaign


def _live_campaign_of(listing, at):
    """The zone's campaign story when it covers the listing: the one pricing applied."""
    story = selectors.campaign_story(timezone.localdate(at)).filter(partnership_id=listing.partnership_id).first()
    return story if story is not None and story.listings.filter(pk=listing.pk).exists() else None


def record_campaign_sale(*, listing, order_line, quantity, at=None):
    """Record a sale at a campaign price for settlement: the discount (list price - price) x
    quantity and the partner's share of it. None when the listing sold at its list price. Once
    per order line (a repeat returns the first record)."""
    order_line = str(order_line)
    existing = CampaignSale.objects.filter(order_line=order_line).first()
    if existing is not None:
        return existing
    if listing.price is None or listing.list_price is None or listing.price >= listing.list_price:
        return None
    campaign = _live_campaign_of(listing, at or timezone.now())
    if campaign is None:
        return None
    discount = (listing.list_price.amount - listing.price.amount) * int(quantity)
    currency = listing.price.currency.code
    share = money.quantize(discount * campaign.partner_share_percent / 100, currency)
    try:
        with transaction.atomic():
            return CampaignSale.objects.create(
                campaign=campaign,
                listing=listing,
                order_line=order_line,
                quantity=quantity,
                discount=money.money(discount, currency),
                partner_share=Money(share, currency),
            )
    except IntegrityError:  # recorded concurrently
        return CampaignSale.objects.get(order_line=order_line)


def current_campaigns(partnership=None, at=None):
    """Accepted campaigns running on the day of `at` (today) on active partnerships' goods in our
    zone (the home page's banners), newest first."""
    day = timezone.localdate(at) if at else timezone.localdate()
    queryset = (
        Campaign.objects.filter(
            status=Status.ACCEPTED,
            starts_on__lte=day,
            ends_on__gte=day,
            partnership__status=Partnership.Status.ACTIVE,
        )
        # Our rows of campaigns we proposed have no listings: they are not on our storefront.
        .filter(Exists(Campaign.listings.through.objects.filter(campaign_id=OuterRef("pk"))))
        .select_related("partnership__partner", "festival")
        .order_by("-starts_on", "pk")
    )
    if partnership is not None:
        queryset = queryset.filter(partnership=partnership)
    return queryset
