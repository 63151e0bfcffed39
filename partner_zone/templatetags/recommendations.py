"""`{% recommendations request kind %}`: partner goods recommended to the shopper, each with its
reason. Kinds: "all" (both recommenders, popular goods at cold start), "similar", "not_carried",
"popular". Renders partner_zone/_recommendations.html with its data as `hook` (the shape the
catalog's page hooks include it with)."""

from django import template
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


@register.inclusion_tag("partner_zone/_recommendations.html")
def recommendations(request, kind="all", limit=service.DEFAULT_LIMIT):
    return {"hook": recommendation_block(request, kind, limit=limit), "request": request}
