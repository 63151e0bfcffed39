"""The storefront listing kit's card, rendered in Python: a listing page shows 24 of them, and
through the template engine (an include per card, some thirty variable lookups and six translation
tags each) the cards were most of a page's cost on a cache miss (bench/README.md, issue 20). One
card, for the home catalog's products (catalog.selectors.ProductCard) and, with `zone_card`, the
partner zone's listings (partner_zone.selectors.ZoneCard): a partner's images are its own URLs
(sent without a referrer), its badges say where it ships from and that a campaign is on, and its
list price is struck through. Every value is escaped as the template engine escapes it."""

from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Prices formatted in this process (babel's currency formatting is the slowest part of a card), by
# everything the text depends on; emptied when full.
MONEY_TEXTS = 4096
_money_texts = {}


def money_html(value):
    """A Money as a template shows it (`{{ price }}`: the shopper's locale, no line break)."""
    options = getattr(value, "format_options", None)
    key = (str(value.amount), value.currency.code, get_language(), tuple(sorted((options or {}).items())))
    text = _money_texts.get(key)
    if text is None:
        if len(_money_texts) >= MONEY_TEXTS:
            _money_texts.clear()
        text = _money_texts[key] = conditional_escape(value)
    return text


def _attr(value):
    return conditional_escape(value)


class CardRenderer:
    """Renders cards for one page: the texts of the shopper's language and the placeholder image
    are looked up once."""

    def __init__(self, zone_card=False):
        self.zone_card = bool(zone_card)
        self._placeholder = None

    @property
    def placeholder(self):
        if self._placeholder is None:
            self._placeholder = render_to_string("catalog/_placeholder.html")
        return self._placeholder

    def image(self, card):
        if not card.image:
            return self.placeholder
        if self.zone_card:
            return (
                f'<img src="{_attr(card.image)}" alt="{_attr(card.title)}" loading="lazy" referrerpolicy="no-referrer">'
            )
        image = card.image
        size = ""
        if image.width:
            size = f' width="{_attr(localize(image.width))}" height="{_attr(localize(image.height))}"'
        return f'<img src="{_attr(image.image.url)}" alt="{_attr(image.alt_text or card.title)}" loading="lazy"{size}>'

    def badges(self, card):
        # The texts are translated outside the f-strings: makemessages does not read inside them.
        if self.zone_card:
            local_text, deal_text = _("Local warehouse"), _("Campaign")
            local = f'<span class="badge local">{_attr(local_text)}</span>' if card.ships_local else ""
            deal = f'<span class="badge deal">{_attr(deal_text)}</span>' if card.list_price else ""
            return f"{local}\n      {deal}"
        sold_out = _("Out of stock")
        return "" if card.in_stock else f'<span class="badge sold-out">{_attr(sold_out)}</span>'

    def price(self, card):
        if card.price is None:
            text = _("Price not available") if self.zone_card else _("Not on sale")
            return f'<span class="unavailable">{_attr(text)}</span>'
        if card.price_varies:
            return _("from %(price)s") % {"price": money_html(card.price)}
        if card.list_price:
            return f'{money_html(card.price)} <s class="list-price">{money_html(card.list_price)}</s>'
        return money_html(card.price)

    def render(self, card):
        zone_class = " zone-card" if self.zone_card else ""
        brand = f'<span class="card-brand">{_attr(card.brand)}</span>' if card.brand else ""
        lang = f' lang="{_attr(card.title_language)}"' if card.title_language else ""
        return (
            f'<li class="card{zone_class}" data-reference="{_attr(card.reference)}">\n'
            f'  <a class="card-link" href="{_attr(card.url)}">\n'
            f'    <div class="card-image">{self.image(card)}\n'
            f"      {self.badges(card)}\n"
            "    </div>\n"
            '    <div class="card-body">\n'
            f"      {brand}\n"
            f'      <h3 class="card-title"{lang}>{_attr(card.title)}</h3>\n'
            f'      <p class="card-price">{self.price(card)}</p>\n'
            "    </div>\n"
            "  </a>\n"
            "</li>\n"
        )


def cards_html(cards, zone_card=False):
    """The cards one after the other, as the listing kit's grid holds them."""
    renderer = CardRenderer(zone_card)
    return SafeString("".join(renderer.render(card) for card in cards))
