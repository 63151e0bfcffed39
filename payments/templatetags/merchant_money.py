"""Amounts on the merchant's money page: in the currency's minor units, in the reader's number format."""

from django import template
from django.utils.formats import number_format

from crossborder import money

register = template.Library()


@register.filter
def in_currency(amount, currency):
    """1234.5, "CNY" -> "1,234.50" (the reader's separators); "" for no amount."""
    if amount in (None, ""):
        return ""
    digits = money.minor_digits(currency)
    return number_format(money.quantize(amount, currency), decimal_pos=digits, use_l10n=True, force_grouping=True)
