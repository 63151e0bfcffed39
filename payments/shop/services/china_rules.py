"""China's cross-border e-commerce retail import at checkout: the buyer's real name and resident ID
number (GB 11643: region, birth date, sequence, ISO 7064 MOD 11-2 check character), and the
per-transaction and annual limits per ID (Ministry of Finance announcement 2018 No. 49). The limits
are read from the partner zone's duty rules (the regime's catch-all rule), with the shipped values
as the fallback; the tax itself is the partner zone's pricing (70 % of import VAT and consumption
tax on the dutiable value including freight)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder.errors import DomainError
from crossborder.fields import blind_indexes
from partner_zone import rules
from partner_zone.models import DutyRule
from partner_zone.services.pricing import DutyBook

from ...errors import CheckoutErrorCode as Code
from ...ledger.amounts import MoneySum
from ..models import Order

# Weights 2^(17 - i) mod 11 of the first 17 digits; the check character of (sum mod 11).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Province-level codes (the first two digits of the region code): mainland provinces, autonomous
# regions and municipalities; 71 Taiwan, 81 Hong Kong, 82 Macao (residence permits use them).
PROVINCES = {
    *range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82,
}  # fmt: skip
CNY = "CNY"


def id_check_character(first17):
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return ID_CHECK[sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def resident_id_problem(value, *, today=None):
    """Why `value` is not a valid 18-character resident ID number, or None. Lower-case x is read as X."""
    value = (value or "").strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return _("A resident ID number has 18 characters: 17 digits and a last digit or X.")
    if int(value[:2]) not in PROVINCES or value[2:6] == "0000":
        return _("The resident ID number's first six digits are not a region code.")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > (today or timezone.localdate()):
        return _("The resident ID number's digits 7 to 14 are not a valid birth date.")
    if id_check_character(value[:17]) != value[17]:
        return _("The resident ID number's check digit does not match: please check the number.")
    return None


def check_buyer(*, name, id_number):
    """The buyer's real name and ID number, cleaned, or a DomainError naming the field."""
    name = " ".join(str(name or "").split())
    if not name:
        raise DomainError(
            Code.REAL_NAME_REQUIRED,
            _("Cross-border goods need the buyer's real name as on the resident ID card."),
            field="buyer_name",
        )
    if len(name) > 60:
        raise DomainError(Code.REAL_NAME_REQUIRED, _("The name has at most 60 characters."), field="buyer_name")
    id_number = str(id_number or "").strip().upper()
    if not id_number:
        raise DomainError(
            Code.INVALID_ID_NUMBER,
            _("Cross-border goods need the buyer's resident ID number for customs."),
            field="buyer_id_number",
        )
    problem = resident_id_problem(id_number)
    if problem:
        raise DomainError(Code.INVALID_ID_NUMBER, problem, field="buyer_id_number")
    return name, id_number


def limits(*, at=None):
    """(per-transaction limit, annual limit) in CNY, from the CBEC regime's catch-all duty rule."""
    book = DutyBook.load(countries=["CN"], at=at)
    _rule, catch_all = book.match("CN", DutyRule.Regime.CN_CBEC, "")
    transaction_limit = Money(rules.CN_TRANSACTION_LIMIT, CNY)
    annual_limit = Money(rules.CN_ANNUAL_LIMIT, CNY)
    if catch_all is not None:
        transaction_limit = catch_all.transaction_limit or transaction_limit
        annual_limit = catch_all.annual_limit or annual_limit
    return transaction_limit, annual_limit


def spent_this_year(id_number, *, at=None):
    """The cross-border retail value of this year's orders for the ID (placed and not cancelled
    or lapsed), in CNY."""

    year = timezone.localdate(at).year
    total = (
        Order.objects.filter(
            buyer_id_index__in=blind_indexes(id_number), placed_at__year=year, cbec_value__isnull=False
        )
        .exclude(status__in=[Order.Status.CANCELLED, Order.Status.EXPIRED])
        .aggregate(total=MoneySum("cbec_value"))["total"]
    )
    return Money(total or Decimal(0), CNY)


def check_limits(*, value: Money, id_number, at=None):
    """Refuse a transaction above the per-transaction limit, or one that takes the ID's year
    above the annual limit, naming the field and the amounts."""
    transaction_limit, annual_limit = limits(at=at)
    if value > transaction_limit:
        raise DomainError(
            Code.TRANSACTION_LIMIT,
            _(
                "Cross-border goods worth %(value)s (with shipping) are above the limit of %(limit)s per order: "
                "please order fewer of them at a time."
            )
            % {"value": value, "limit": transaction_limit},
            field="lines",
        )
    spent = spent_this_year(id_number, at=at)
    if spent + value > annual_limit:
        left = max(annual_limit - spent, Money(0, CNY))
        raise DomainError(
            Code.ANNUAL_LIMIT,
            _(
                "This order of %(value)s would take the cross-border purchases of this ID number above the annual "
                "limit of %(limit)s: %(left)s is left this year."
            )
            % {"value": value, "limit": annual_limit, "left": left},
            field="buyer_id_number",
        )
