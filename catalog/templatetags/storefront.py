"""Template helpers of the storefront: the listing kit's cards, links that change one query
parameter of the current page, and weights in the shopper's number format."""

from decimal import Decimal

from django import template
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from crossborder import money

from ..cards import cards_html

register = template.Library()


@register.simple_tag
def listing_cards(cards, zone_card=False):
    """The listing kit's cards (catalog.cards): `zone_card` for the partner zone's listings."""
    return cards_html(cards, zone_card)


def _current_params(context):
    """A mutable copy of the page's query (QueryDict.copy() deep-copies, several times a page)."""
    params = QueryDict(mutable=True)
    for name, values in context["request"].GET.lists():
        params.setlist(name, list(values))
    return params


def _encoded(params):
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None or '' removes one). Any change
    goes back to the first page unless it sets the page itself; page 1 is left out."""
    params = _current_params(context)
    params.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "" or (name == "page" and str(value) == "1"):
            params.pop(name, None)
        else:
            params[name] = str(value)
    return _encoded(params)


@register.simple_tag(takes_context=True)
def query_without(context, name, value=None):
    """The current query string without one value of a parameter (or without the parameter)."""
    params = _current_params(context)
    params.pop("page", None)
    if value is None:
        params.pop(name, None)
    else:
        params.setlist(name, [kept for kept in params.getlist(name) if kept != str(value)])
    return _encoded(params)


@register.filter
def weight(grams):
    """250 -> '250 g'; 1500 -> '1.5 kg' (decimal mark of the shopper's language)."""
    if grams in (None, ""):
        return ""
    grams = int(grams)
    if grams < 1000:
        return _("%(n)s g") % {"n": number_format(grams)}
    kilos = money.round_to(Decimal(grams) / 1000, 2, rounding=money.BANKERS).normalize()
    return _("%(n)s kg") % {"n": number_format(kilos, use_l10n=True)}
