"""Money tools of the core, the one place that knows how money is counted and rounded (ADR 0013).

- Minor units per currency (ISO 4217: JPY 0 decimals, CNY and USD 2, KWD 3), from py-moneyed's
  data with an explicit table as fallback: `minor_digits`, `quantum`; an amount to and from a
  whole number of minor units, exactly (`to_minor_units`, `from_minor_units`: payment providers).
- Rounding: the modes are named here once (`DEFAULT_ROUNDING` for prices, fees and taxes,
  `BANKERS` for the ledger's conversions and commissions, `UP` for market price endings);
  `quantize` puts an amount in its currency's minor units, `round_to` a figure that is not money
  (a percent, a weight) to some places, `round_up_to` to a step such as a price ending and
  `nearest_ending` to the market's charm price nearest an amount (never more than half a step off).
- An amount from outside (a form, the partner API, a webhook): `parse_amount` is finite, has no
  more decimals than its currency, fits the money columns, or raises one MoneyError naming the field.
- `allocate`: split an amount by weights, largest remainder first, parts summing to the whole.
- The rate book: rates with their source and time (crossborder.models.ExchangeRate), the newest
  at a moment directly, inverted or crossed through EUR (`RateBook`, `latest_rate`), `convert`.

Every app rounds money through this module; tests/crossborder/test_money.py fails on a rounding
constant or mode defined anywhere else."""

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

import moneyed
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.models.fields import MoneyField, MoneyFieldProxy
from djmoney.money import Money

from .errors import DomainError
from .errors import MoneyErrorCode as Code

# --- rounding modes -------------------------------------------------------------------------------

DEFAULT_ROUNDING = ROUND_HALF_UP  # prices, fees, duties and taxes: half a minor unit up
BANKERS = ROUND_HALF_EVEN  # the ledger's commissions and settlement conversions: unbiased over many
UP = ROUND_CEILING  # a shown price rounded to the market's ending: never below the exact price

# Decimals of the currencies py-moneyed might not know (its data wins where it has the currency).
MINOR_DIGITS = {
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CNY": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "BHD": 3,
    "JOD": 3,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
}
# The money columns (ADR 0029). Every one keeps MONEY_PLACES decimals, the most a currency we may
# price in counts (KWD and BHD: 3), so a platform whose own currency has 3 works everywhere; an
# amount reads back in its currency's decimals (`money_field`, InCurrencyDecimals) and is checked
# by its currency on the way in (`parse_amount`), so a 2- or 0-decimal currency behaves as before.
MONEY_PLACES = 3
# Prices, carts, checkouts, orders, fees (djmoney MoneyFields): amounts below 10**12.
MONEY_COLUMN = {"max_digits": 12 + MONEY_PLACES, "decimal_places": MONEY_PLACES}
# The ledger's and the payments' columns (payments.ledger.models.AMOUNT): one decimal more than any
# currency for the ledger's exact sums; an amount from outside must fit them.
AMOUNT_COLUMN = {"max_digits": 20, "decimal_places": MONEY_PLACES + 1}
RATE_PLACES = 8  # exchange rates are kept and applied with 8 decimals
EUR = "EUR"  # the cross currency: the ECB's reference rates are all EUR -> X


class MoneyError(DomainError):
    """An amount, a currency or a rate that money cannot work with; `field` names the input."""


# --- minor units and quantizing -------------------------------------------------------------------


# ISO 4217 codes that name no money anyone pays with: "no currency" (XXX), the testing code (XTS),
# precious metals, the IMF's and the bond markets' units of account, the sucre, the ADB unit.
NOT_CURRENCIES = frozenset({"XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA"})


def is_currency(code) -> bool:
    """An ISO 4217 code, in upper case, of a currency money knows (not XXX and the other codes of
    NOT_CURRENCIES, which name no money)."""
    return (
        isinstance(code, str)
        and len(code) == 3
        and code.isalpha()
        and code.isupper()
        and code not in NOT_CURRENCIES
        and code in moneyed.CURRENCIES
    )


@lru_cache(maxsize=256)
def minor_digits(currency) -> int:
    """Decimals a currency's amounts carry: 2 for CNY and USD, 0 for JPY, 3 for KWD."""
    code = str(currency).upper()
    try:
        sub_unit = moneyed.get_currency(code).sub_unit
    except moneyed.CurrencyDoesNotExist:
        sub_unit = None
    if sub_unit:
        return len(str(sub_unit)) - 1
    if code in MINOR_DIGITS:
        return MINOR_DIGITS[code]
    raise MoneyError(Code.UNKNOWN_CURRENCY, _("Unknown currency %(c)s.") % {"c": currency}, field="currency")


def quantum(currency) -> Decimal:
    """The currency's minor unit as an exponent: 0.01 for CNY, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-minor_digits(currency))


def quantize(amount, currency, *, rounding=DEFAULT_ROUNDING) -> Decimal:
    """`amount` (a Decimal, int or string) in the currency's minor units."""
    return Decimal(amount).quantize(quantum(currency), rounding=rounding)


def money(amount, currency, *, rounding=DEFAULT_ROUNDING) -> Money:
    """Money of `amount` in `currency`, quantized to its minor units."""
    return Money(quantize(amount, currency, rounding=rounding), currency)


def to_minor_units(amount, currency, *, digits=None) -> int:
    """`amount` as a whole number of minor units: the currency's (12.34 USD -> 1234, 1200 JPY ->
    1200, 5.125 KWD -> 5125), or of `digits` decimals where a counterparty counts otherwise.
    Exact: an amount with more decimals is refused (MoneyError), never rounded."""
    digits = minor_digits(currency) if digits is None else digits
    value = Decimal(amount)
    if not value.is_finite() or value != value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN):
        raise MoneyError(
            Code.TOO_MANY_DECIMALS,
            _("%(amount)s has more than %(digits)d decimals, which %(currency)s does not have.")
            % {"amount": value, "digits": digits, "currency": currency},
            field="amount",
        )
    return int(value.scaleb(digits))


def from_minor_units(units, currency, *, digits=None) -> Decimal:
    """A whole number of minor units as the amount, with the currency's decimals (or `digits`)."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise ValueError(f"{units!r} is not an amount in minor units")
    digits = minor_digits(currency) if digits is None else digits
    return Decimal(units).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


class InCurrencyDecimals(MoneyFieldProxy):
    """A money column's reader that gives amounts in their currency's decimals (20.00 USD, 1200 JPY,
    5.125 KWD) whatever the column's: `MoneyField(..., money_descriptor_class=InCurrencyDecimals)`
    on a column wide enough for 3-decimal currencies, so the others read back as before. Exact:
    what is stored has no more decimals than its currency (parse_amount and the services check)."""

    def _money_from_obj(self, obj):
        value = super()._money_from_obj(obj)
        if value is None:
            return None
        code = value.currency.code
        return Money(quantize(value.amount, code), code, decimal_places=minor_digits(code))


def money_field(verbose_name=None, **options):
    """A money column (djmoney MoneyField) of MONEY_COLUMN's width whose amounts read back in their
    currency's decimals: 12.345 KWD, 20.00 USD, 1200 JPY."""
    return MoneyField(verbose_name, money_descriptor_class=InCurrencyDecimals, **MONEY_COLUMN, **options)


def round_to(value, places, *, rounding=DEFAULT_ROUNDING) -> Decimal:
    """A figure that is not an amount (a percent, a velocity, kilos) to `places` decimals."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=rounding)


def round_up_to(value, step, *, offset=0) -> Decimal:
    """The smallest multiple of `step`, less `offset`, at or above `value` (step 10, offset 0.1:
    23.4 -> 29.9): the primitive of a market's price endings."""
    step, offset = Decimal(step), Decimal(offset)
    return ((Decimal(value) + offset) / step).to_integral_value(rounding=UP) * step - offset


def nearest_ending(value, step, *, offset=0) -> Decimal:
    """The price of the form k x `step` - `offset` nearest `value` (step 10, offset 1: 1017.8 ->
    1019, 1012.2 -> 1009), so it moves by at most half a step; a tie goes up, and a price never
    rounds to zero or below (then the next one up)."""
    step, offset, value = Decimal(step), Decimal(offset), Decimal(value)
    above = round_up_to(value, step, offset=offset)
    below = above - step
    if below > 0 and value - below < above - value:
        return below
    return above


def has_minor_units_only(amount, currency) -> bool:
    """True when `amount` carries no more decimals than the currency has."""
    value = Decimal(amount)
    return value == value.quantize(quantum(currency), rounding=ROUND_DOWN)


# --- amounts from outside -------------------------------------------------------------------------


def parse_amount(value, currency, *, field="amount", positive=False, column=AMOUNT_COLUMN) -> Decimal:
    """`value` from outside as a Decimal in the currency's minor units, or a MoneyError naming the
    field: not a finite number, not positive when `positive`, beyond the money column's range
    (`column`: its max_digits and decimal_places) or with more decimals than the currency has
    (refused, never rounded away). An unknown currency names the field "currency"."""
    digits = minor_digits(currency)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or (positive and number <= 0):
        if positive:
            detail = _("The amount must be a positive number.")
        else:
            detail = _("%(field)s is not a finite decimal amount: %(value)s.") % {"field": field, "value": value}
        raise MoneyError(Code.INVALID_AMOUNT, detail, field=field)
    limit = Decimal(10) ** (column["max_digits"] - column["decimal_places"])
    if abs(number) >= limit:
        raise MoneyError(
            Code.INVALID_AMOUNT,
            _("%(field)s %(amount)s is too large: an amount stays below %(limit)s.")
            % {"field": field, "amount": number, "limit": limit},
            field=field,
        )
    if not has_minor_units_only(number, currency):
        raise MoneyError(
            Code.TOO_MANY_DECIMALS,
            _("%(amount)s has more than %(digits)d decimals, which %(currency)s does not have.")
            % {"amount": number, "digits": digits, "currency": currency},
            field=field,
        )
    return number.quantize(quantum(currency))


# --- allocation -----------------------------------------------------------------------------------


def allocate(amount, weights, currency=None):
    """Split `amount` in proportion to `weights` by the largest-remainder method, in the currency's
    minor units: the parts always sum to exactly `amount` (the remainder units go to the parts that
    lost the most to rounding, ties to the earlier part). `amount` is Money (the parts are Money) or
    a Decimal in `currency` (the parts are Decimals)."""
    as_money = isinstance(amount, Money)
    if as_money:
        currency, amount = str(amount.currency), amount.amount
    weights = [Decimal(str(w)) for w in weights]
    if not weights or any(not w.is_finite() or w < 0 for w in weights) or sum(weights) == 0:
        raise MoneyError(
            Code.INVALID_AMOUNT, _("Allocation needs non-negative weights that are not all zero."), field="weights"
        )
    digits = minor_digits(currency)
    units = int(parse_amount(amount, currency).scaleb(digits))
    sign = -1 if units < 0 else 1
    units = abs(units)
    whole = sum(weights)
    exact = [Decimal(units) * w / whole for w in weights]
    parts = [int(e) for e in exact]  # floor: all parts are non-negative
    left = units - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    values = [Decimal(sign * p).scaleb(-digits) for p in parts]
    return [Money(v, currency) for v in values] if as_money else values


# --- the rate book --------------------------------------------------------------------------------


class RateBook:
    """The newest rate per currency pair at a moment, loaded in one query, for many conversions.
    A pair without a direct rate uses the inverse rate (the newer of the two wins) or a cross rate
    through EUR. `refusal` is the DomainError class a missing rate raises."""

    refusal = MoneyError

    def __init__(self, rates):
        self.rates = rates  # (base, quote) -> ExchangeRate

    @classmethod
    def load(cls, currencies=None, *, at=None):
        from .models import ExchangeRate  # noqa: PLC0415 - the models import money's neighbours

        at = at or timezone.now()
        newest = (
            ExchangeRate.objects.filter(base=OuterRef("base"), quote=OuterRef("quote"), as_of__lte=at)
            .order_by("-as_of", "-created_at", "-pk")
            .values("pk")[:1]
        )
        rows = ExchangeRate.objects.filter(as_of__lte=at)
        if currencies is not None:
            wanted = {c.upper() for c in currencies} | {EUR}
            rows = rows.filter(base__in=wanted, quote__in=wanted)
        rows = rows.filter(pk=Subquery(newest))
        return cls({(row.base, row.quote): row for row in rows})

    def _leg(self, base, quote):
        """Direct or inverse rate of one pair (the newer if both exist), or None."""
        direct = self.rates.get((base, quote))
        inverse = self.rates.get((quote, base))
        if direct and (not inverse or direct.as_of >= inverse.as_of):
            return Decimal(direct.rate)
        if inverse:
            return Decimal(1) / Decimal(inverse.rate)
        return None

    def rate(self, base, quote) -> Decimal:
        """1 `base` in `quote`, with RATE_PLACES decimals; raises NO_EXCHANGE_RATE naming the pair."""
        base, quote = base.upper(), quote.upper()
        if base == quote:
            return Decimal(1)
        rate = self._leg(base, quote)
        if rate is None and EUR not in (base, quote):
            to_eur, from_eur = self._leg(base, EUR), self._leg(EUR, quote)
            if to_eur is not None and from_eur is not None:
                rate = to_eur * from_eur
        if rate is None:
            raise self.refusal(
                Code.NO_EXCHANGE_RATE,
                _("No exchange rate from %(base)s to %(quote)s (directly, inverted or through EUR).")
                % {"base": base, "quote": quote},
                field="rate",
            )
        return round_to(rate, RATE_PLACES)

    def convert(self, amount, base, quote, *, rounding=DEFAULT_ROUNDING) -> Decimal:
        """`amount` of `base` in `quote`, in the quote currency's minor units."""
        return quantize(Decimal(amount) * self.rate(base, quote), quote, rounding=rounding)


def latest_rate(base, quote, *, at=None) -> Decimal:
    """1 `base` in `quote` from the newest rates at or before `at` (now)."""
    return RateBook.load({base, quote}, at=at).rate(base, quote)


def convert(amount, base, quote, *, at=None, rounding=DEFAULT_ROUNDING):
    """`amount` (Money, or a Decimal in `base`) in `quote` at the newest rate at `at` (now), in the
    quote currency's minor units; Money in, Money out."""
    if isinstance(amount, Money):
        base, amount = str(amount.currency), amount.amount
        return Money(RateBook.load({base, quote}, at=at).convert(amount, base, quote, rounding=rounding), quote)
    return RateBook.load({base, quote}, at=at).convert(amount, base, quote, rounding=rounding)
