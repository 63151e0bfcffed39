"""`{% recommendations request kind %}`: partner goods recommended to the shopper, each with its
reason. Kinds: "all" (both recommenders, popular goods at cold start), "similar", "not_carried",
"popular". Renders partner_zone/_recommendations.html with its data as `hook` (the shape the
catalog's page hooks include it with)."""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partner_zone.services import recommendations as service

register = template.Library()

HEADINGS = {
    "all": lambda: _("Recommended for you from our partners"),
    "similar": lambda: _("Similar goods from our partners"),
    "not_carried": lambda: _("From our partners: goods we don't carry"),
    "popular": lambda: _("Popular in the partner zone"),
}


def recommendation_block(request, kind="all", *, limit=service.DEFAULT_LIMIT, partnership=None):
    """The template data: heading, kind and cards ({card, reason}); empty cards render nothing. On
    a zone's page (`partnership`) only that partner's goods."""
    from partner_zone.selectors import listing_card

    kind = kind if kind in service.KINDS else "all"
    language = get_language()
    items = [
        {"card": listing_card(listing, language, listing.partnership.partner.code), "reason": reason}
        for listing, reason in service.recommendations_for(request, kind, limit=limit, partnership=partnership)
    ]
    return {
        "kind": kind,
        "heading": HEADINGS[kind](),
        "items": items,
        "has_history": service.shopper_for(request).is_known,
    }


def kept_recommendation_block(request, zone, kind="all", *, limit=service.DEFAULT_LIMIT):
    """`recommendation_block` for a zone's page with its cards rendered once and kept for the
    shopper in the shared cache until their history, the zone's generation (a listing changed,
    withdrawn or repriced, a campaign) or the day changes (services.recommendations.kept); the
    heading and the per-request parts (the clear-history form's CSRF token) are rendered each
    time."""
    shopper = service.shopper_for(request)

    def cards():
        block = recommendation_block(request, kind, limit=limit, partnership=zone.partnership)
        return render_to_string("partner_zone/_recommendation_cards.html", {"hook": block}) if block["items"] else ""

    key = ("zone", zone.partnership.pk, zone.generation, timezone.localdate(), get_language(), kind, limit)
    return {
        "kind": kind,
        "heading": HEADINGS[kind](),
        "cards_html": mark_safe(service.kept(shopper, key, cards)),  # noqa: S308 (our template's escaped output)
        "has_history": shopper.is_known,
    }


@register.inclusion_tag("partner_zone/_recommendations.html")
def recommendations(request, kind="all", limit=service.DEFAULT_LIMIT):
    return {"hook": recommendation_block(request, kind, limit=limit), "request": request}
