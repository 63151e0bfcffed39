"""The discounts of a quote or an order as their own lines: what the checkout kept with each partner
line (its campaign's or markdown's amount off, title and percent, services/checkout.py
`_discount_detail`), grouped by what the discount is. The quote page, the order page, its e-mails
and the admin show these lines; the goods of each line are already net of them."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder import money


@dataclass(frozen=True)
class DiscountLine:
    label: str
    amount: Money  # negative: what the shopper saves

    @property
    def saving(self):
        return -self.amount


def _label(detail):
    percent = detail.get("discount_percent", "")
    try:
        number = Decimal(percent)
        percent = format(number.normalize(), "f") if number == number.to_integral() else format(number, "f")
    except ArithmeticError:
        pass
    if detail.get("discount_kind") == "campaign":
        return _("%(title)s: %(percent)s%% off") % {"title": detail.get("discount_title", ""), "percent": percent}
    return _("Clearance of stock in our warehouse: %(percent)s%% off") % {"percent": percent}


def discount_lines(lines, currency):
    """[DiscountLine] of quote or order lines, one per campaign or markdown, in line order."""
    found = {}
    for line in lines:
        detail = line.taxes_detail or {}
        if not detail.get("discount"):
            continue
        label = _label(detail)
        found[label] = found.get(label, Decimal(0)) + Decimal(detail["discount"])
    return [DiscountLine(label, Money(-money.quantize(total, currency), currency)) for label, total in found.items()]


def goods_before_discounts(goods, discounts):
    """The goods' value at list prices: the goods (net of the discounts) plus what they took off."""
    return goods + sum((line.saving for line in discounts), Money(0, goods.currency))
