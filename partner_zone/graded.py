"""Graded offers in the partner zone: a partner's returned units that after-sales decided to resell
(logistics counts them in the partner's graded stock, by grade) are offered on the listing's page,
marked with their grade and priced at the listing's landed price from our warehouse less the
agreed discount of that grade (`Terms.grade_discount`). They are bought through the zone's normal
checkout, under the same cross-border rules (ID check, limits, customs data): a returned partner
good is never sold as our own catalog's (China's rule; aftersales.rules)."""

import copy
from dataclasses import dataclass
from decimal import Decimal

from djmoney.money import Money

from crossborder.grades import RESALE_GRADES, Grade, graded_price
from logistics.selectors import graded_stock

from .landed_price import LandedPrice
from .models import PartnerListing
from .services import pricing


@dataclass(frozen=True)
class GradedOffer:
    """Units of one SKU of a listing offered at one grade."""

    sku: str
    grade: str
    units: int
    discount_percent: Decimal
    list_price: Money  # the listing's landed price from our warehouse, before the grade's discount
    price: Money

    option_label = ""  # the listing's page names its options itself

    @property
    def label(self):
        return Grade(self.grade).label


def graded_quote(listing, context, grade, *, sku=None, quantity=1):
    """(price, list price, LandedPrice from our warehouse, discount percent) of one unit of the
    listing at `grade`. Campaigns and markdowns do not apply to graded units: the grade's discount
    is their price. Raises PartnerZoneError when the listing cannot be priced."""
    local = copy.copy(listing)
    local.ships_from = PartnerListing.ShipsFrom.LOCAL
    list_price, _price, landed = pricing.landed_price(local, context, sku=sku, quantity=quantity)
    percent = listing.partnership.terms.grade_discount(grade)
    return zone_graded_price(list_price, percent), list_price, landed, percent


def zone_graded_price(list_price, percent):
    """A graded unit's shown price: the list price less the grade's discount, rounded by the
    market's rule like every zone price (pricing.round_price: 152.92 CNY shows as 159.9); when that
    rounding would reach the list price (a small discount on a cheap item), to the cent instead,
    so the grade always costs less."""
    exact = graded_price(list_price, percent)
    rounded = pricing.round_price(exact)
    return rounded if rounded < list_price else exact


def graded_goods_value(landed: LandedPrice, percent):
    """The customs value of the goods of one graded unit: the landed goods less the grade's discount."""
    return landed.goods * (Decimal(100) - Decimal(percent)) / Decimal(100)


def graded_offers(listing, *, at=None):
    """The listing's graded offers, best grade first, SKU by SKU (two queries and the pricing
    context's when there are any; one when there are none)."""
    if not listing.is_orderable:
        return []
    skus = [v["sku"] for v in listing.variants or [] if v.get("sku") and v.get("is_active", True)]
    units = graded_stock(owner=listing.partnership.partner_id, skus=skus)
    if not units:
        return []
    context = pricing.PricingContext.load([listing.pk], at=at, currencies={listing.export_price.currency.code})
    offers = []
    order = {grade: index for index, grade in enumerate(RESALE_GRADES)}
    for (sku, grade), count in sorted(units.items(), key=lambda item: (order[item[0][1]], item[0][0])):
        price, list_price, _landed, percent = graded_quote(listing, context, grade, sku=sku)
        offers.append(
            GradedOffer(sku=sku, grade=grade, units=count, discount_percent=percent, list_price=list_price, price=price)
        )
    return offers
