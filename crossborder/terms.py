"""The agreement of a partnership, typed: one `Terms` value parsed and validated in one place.

A partnership's terms are its columns (settlement currency, commission rate, cut-off, scope, dates)
and its fee schedule, a JSON object of named terms (`FEE_TERMS`). Proposals (both directions), the
partner API's serializer and the admin form validate through `Terms.parse`, which refuses an
unknown key or a bad value naming the key. `Partnership.terms` reads a stored row through
`Terms.of`: a missing value takes its documented default; a bad value kept by a legacy row raises
`TermsError` naming the key when that term is read (the other terms stay readable, so one broken
fee does not stop the sales that do not depend on it).
"""

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import money
from .errors import DomainError
from .errors import PartnershipErrorCode as Code
from .grades import RESALE_GRADES, Disposition, Grade

MAX_AMOUNT = Decimal("99999999.9999")  # 12 digits, 4 of them decimals, as the partner API's schema says
AMOUNT_PLACES = 4
RATE_PLACES = 4
MAX_DAYS = 36500  # an age threshold of at most a hundred years


class TermsError(DomainError):
    """A term that is unknown or not of its type. `field` is where it sits in the terms
    ("fee_schedule" for a fee term); `key` names the term itself."""

    def __init__(self, key, detail, *, field=None):
        super().__init__(Code.INVALID_TERMS, detail, field=field or key)
        self.key = key


is_currency = money.is_currency  # one reading of a currency code, the money module's


# --- one parser per kind of fee term ------------------------------------------------------------
# Each takes the stored or proposed value (never None or "": those mean "use the default") and
# returns the typed value or raises ValueError with what was expected.


def _decimal(raw):
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ValueError
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    return value


def _bounded(raw, low, high, places, expected):
    try:
        value = _decimal(raw)
    except ValueError:
        raise ValueError(expected) from None
    if not low <= value <= high or value.as_tuple().exponent < -places:
        raise ValueError(expected)
    return value


def parse_amount(raw):
    return _bounded(raw, Decimal(0), MAX_AMOUNT, AMOUNT_PLACES, _("an amount of at least 0 with at most 4 decimals"))


def parse_rate(raw):
    return _bounded(raw, Decimal(0), Decimal(1), RATE_PLACES, _("a rate from 0 to 1 with at most 4 decimals"))


def parse_percent(raw):
    return _bounded(raw, Decimal(0), Decimal(100), 2, _("a percent from 0 to 100 with at most 2 decimals"))


def parse_whole_percent(raw):
    expected = _("a whole percent from 1 to 99")
    value = _bounded(raw, Decimal(1), Decimal(99), 28, expected)
    if value != value.to_integral_value():
        raise ValueError(expected)
    return int(value)


def parse_currency(raw):
    code = raw.strip().upper() if isinstance(raw, str) else raw
    if not is_currency(code):
        raise ValueError(_("an ISO 4217 currency code such as USD"))
    return code


_TRUE, _FALSE = ("1", "true", "yes"), ("0", "false", "no")


def parse_flag(raw):
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, str | int) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("true or false"))


def parse_days(raw):
    expected = _('whole days such as [90, 180] or "90,180"')
    parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    try:
        values = [_decimal(part.strip() if isinstance(part, str) else part) for part in parts if str(part).strip()]
    except ValueError:
        raise ValueError(expected) from None
    if not values or any(v < 1 or v != v.to_integral_value() or v > MAX_DAYS for v in values):
        raise ValueError(expected)
    return tuple(sorted({int(v) for v in values}))


SERVICE_PAYERS = ("shopper", "platform", "partner")


def parse_payer(raw):
    """Who pays a local service provider's ticket: the shopper, the platform or the partner."""
    text = raw.strip().lower() if isinstance(raw, str) else None
    if text not in SERVICE_PAYERS:
        raise ValueError(_("one of shopper, platform, partner"))
    return text


def _per_grade(raw, allowed, parse_value, expected):
    """{grade: value} for some grades; a grade the map leaves out takes its default."""
    if not isinstance(raw, dict) or not raw:
        raise ValueError(expected)
    out = {}
    for grade, value in raw.items():
        if grade not in allowed:
            raise ValueError(expected)
        out[grade] = parse_value(value)
    return out


def parse_grade_percents(raw):
    expected = _('a percent 0-100 per resale grade, such as {"like_new": 15, "good": 30}')

    def percent(value):
        try:
            return parse_percent(value)
        except ValueError:
            raise ValueError(expected) from None

    return _per_grade(raw, RESALE_GRADES, percent, expected)


def parse_grade_dispositions(raw):
    expected = _('a disposition per grade, such as {"like_new": "resell", "unsellable": "dispose"}')

    def disposition(value):
        if value not in Disposition.values:
            raise ValueError(expected)
        return str(value)

    return _per_grade(raw, Grade.values, disposition, expected)


# The return reasons the after-sales app offers (aftersales.choices.ReturnReason has these values;
# a test keeps the two equal). The agreement names them in its return terms.
RETURN_REASONS = (
    "no_reason", "wrong_size", "not_as_described", "damaged", "defective", "wrong_item", "missing_parts",
)  # fmt: skip


def parse_day_count(raw):
    expected = _("whole days from 0 to %(max)d") % {"max": MAX_DAYS}
    value = _bounded(raw, Decimal(0), Decimal(MAX_DAYS), 28, expected)
    if value != value.to_integral_value():
        raise ValueError(expected)
    return int(value)


def parse_category_days(raw):
    """{shared category ID: days}, as sorted (id, days) pairs (a frozen value)."""
    expected = _('an object of category IDs to whole days, such as {"1022": 30}')
    if not isinstance(raw, dict):
        raise ValueError(expected)
    pairs = {}
    for key, days in raw.items():
        text = str(key).strip()
        if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**31:
            raise ValueError(expected)
        try:
            pairs[int(text)] = parse_day_count(days)
        except ValueError:
            raise ValueError(expected) from None
    if len(pairs) > 200:
        raise ValueError(expected)
    return tuple(sorted(pairs.items()))


def parse_reasons(raw):
    expected = _("return reasons among %(known)s") % {"known": ", ".join(RETURN_REASONS)}
    parts = raw if isinstance(raw, list | tuple) else str(raw).split(",") if isinstance(raw, str) else None
    if parts is None or not all(isinstance(part, str) for part in parts):
        raise ValueError(expected)
    reasons = {part.strip() for part in parts if part.strip()}
    if not reasons <= set(RETURN_REASONS):
        raise ValueError(expected)
    return tuple(reason for reason in RETURN_REASONS if reason in reasons)


PARSERS = {
    "amount": parse_amount,
    "rate": parse_rate,
    "percent": parse_percent,
    "whole_percent": parse_whole_percent,
    "currency": parse_currency,
    "flag": parse_flag,
    "days": parse_days,
    "payer": parse_payer,
    "grade_percents": parse_grade_percents,
    "grade_dispositions": parse_grade_dispositions,
    "day_count": parse_day_count,
    "category_days": parse_category_days,
    "reasons": parse_reasons,
}

# The documented defaults of returned goods (docs/adr/0019): a discount per resale grade, and what
# becomes of a unit of each grade when the agreement says nothing.
DEFAULT_GRADE_DISCOUNTS = {Grade.LIKE_NEW: Decimal(15), Grade.GOOD: Decimal(30), Grade.ACCEPTABLE: Decimal(50)}
DEFAULT_GRADE_DISPOSITIONS = {
    Grade.NEW: Disposition.RESTOCK,
    Grade.LIKE_NEW: Disposition.RESELL,
    Grade.GOOD: Disposition.RESELL,
    Grade.ACCEPTABLE: Disposition.RESELL,
    Grade.UNSELLABLE: Disposition.DISPOSE,
}


def _fee(kind, default, doc):
    """A fee-schedule term: its kind (a key of PARSERS), default and documentation."""
    return field(default=default, metadata={"kind": kind, "doc": doc})


def _today():
    return timezone.localdate()


@dataclass(frozen=True)
class Terms:
    """A partnership's agreement. The first six fields are the partnership's columns; the rest
    are the fee schedule's keys (`FEE_TERMS`), each with its unit and default in `doc`."""

    settlement_currency: str
    """ISO 4217 code the partners settle in; default the proposing side's partner currency."""
    commission_rate: Decimal = Decimal("0.10")
    """Share of a partner-goods sale kept by the selling platform, a rate 0-1 (4 decimals); 0.10."""
    category_scope: tuple = ()
    """Shared taxonomy IDs in scope, ascending; empty (the default) means all."""
    settlement_cutoff: dt.time = dt.time(23, 0)
    """Daily cut-off of the settlement batch, platform time; 23:00."""
    starts_on: dt.date = field(default_factory=_today)
    """First day of the agreement; today."""
    ends_on: dt.date | None = None
    """Last day of the agreement; none (open-ended)."""

    fx_margin: Decimal = _fee("rate", Decimal(0), "Margin on the exchange rate of a landed price, a rate 0-1; 0.")
    duties_included: bool = _fee("flag", True, "Shown prices include duties and import taxes (DDP); true.")
    zone_fee_per_item: Decimal = _fee("amount", Decimal(0), "Partner-zone fee per item, selling currency; 0.")
    shipping_local_per_item: Decimal = _fee(
        "amount", Decimal(0), "Last-leg shipping per item from our warehouse, selling currency; 0."
    )
    shipping_direct_per_item: Decimal = _fee(
        "amount", Decimal(0), "Cross-border direct shipping per item, selling currency; 0."
    )
    max_campaign_discount: Decimal = _fee(
        "percent", Decimal(50), "Largest campaign discount a partner may propose, percent 0-100; 50."
    )
    max_campaign_share: Decimal = _fee(
        "percent", Decimal(100), "Largest share of a campaign discount the partner bears, percent 0-100; 100."
    )
    aged_threshold_days: tuple | None = _fee(
        "days", None, "Ages in days past which consignment stock is aged; the platform's AGED_THRESHOLDS_DAYS."
    )
    aged_markdown_percent: int = _fee("whole_percent", 20, "Markdown proposed for aged stock, whole percent 1-99; 20.")
    warehouse_storage_per_unit_day: Decimal = _fee(
        "amount", Decimal(0), "Storage fee per unit and day of consignment stock; 0 (none charged)."
    )
    warehouse_storage_currency: str | None = _fee(
        "currency", None, "Currency of the storage fee (ISO 4217); the settlement currency."
    )
    fulfilment_per_unit: Decimal = _fee(
        "amount", Decimal(0), "Fee per unit of a paid line served from consignment stock; 0 (none charged)."
    )
    fulfilment_currency: str | None = _fee(
        "currency", None, "Currency of the fulfilment fee (ISO 4217); the settlement currency."
    )
    service_installation_payer: str = _fee(
        "payer",
        "shopper",
        "Who pays the installation of the partner's goods by a local provider (shopper, platform, partner); "
        "shopper: chosen and paid at checkout.",
    )
    service_maintenance_payer: str = _fee(
        "payer", "shopper", "Who pays maintenance of the partner's goods by a local provider; shopper."
    )
    service_repair_payer: str = _fee(
        "payer",
        "partner",
        "Who pays a repair of the partner's goods by a local provider; partner (the exporter's warranty).",
    )
    first_leg_per_kg: Decimal = _fee(
        "amount", Decimal(0), "Agreed first-leg freight per kg, settlement currency; 0 (recorded, not charged here)."
    )
    resale_fee_rate: Decimal = _fee(
        "rate", Decimal("0.10"), "Share of a resold returned unit's proceeds the reselling platform keeps, 0-1; 0.10."
    )
    resale_grade_discounts: dict | None = _fee(
        "grade_percents",
        None,
        "Discount of a graded resale offer per grade (like_new, good, acceptable), percent; 15, 30, 50.",
    )
    return_dispositions: dict | None = _fee(
        "grade_dispositions",
        None,
        "What becomes of a returned unit per grade when no one decides otherwise; new: restock, "
        "like_new/good/acceptable: resell, unsellable: dispose.",
    )
    return_window_days: int = _fee(
        "day_count",
        14,
        "Days after delivery a shopper may return the partner's goods; 14. The importing country's "
        "consumer-law minimum wins when longer (aftersales/rules_data/consumer_law.json).",
    )
    return_window_by_category: tuple = _fee(
        "category_days", (), 'Return windows per shared category ID, e.g. {"1022": 30}; none (return_window_days).'
    )
    return_shipping_shopper_pays: tuple = _fee(
        "reasons",
        ("no_reason", "wrong_size"),
        "Return reasons for which the shopper pays the return shipping (deducted from the refund); "
        "no_reason, wrong_size. For the other reasons the partner pays it (billed in settlement).",
    )
    return_shipping_fee: Decimal = _fee(
        "amount", Decimal(0), "Return shipping per return, selling currency; 0 (free returns)."
    )
    restocking_fee_percent: Decimal = _fee(
        "percent",
        Decimal(0),
        "Restocking fee on opened units (graded below new), percent of their goods price; 0 (none). "
        "Deducted from the refund; the partner keeps the same percent of what it gives back.",
    )
    restocking_fee_reasons: tuple = _fee(
        "reasons", ("no_reason",), "Return reasons for which the restocking fee may apply; no_reason."
    )

    # The observable promises compliance checks (docs/adr/0035-partners-scores-and-compliance.md).
    settlement_statement_hours: int = _fee(
        "day_count",
        24,
        "Hours after a settlement cut-off within which the partner's statement of that period must arrive; 24.",
    )
    dispute_answer_days: int = _fee(
        "day_count", 7, "Days within which a settlement dispute must be answered (resolved); 7."
    )
    receipt_days: int = _fee(
        "day_count",
        14,
        "Days after a first-leg consignment's advance notice within which the importer's receipt must arrive; 14.",
    )
    order_ack_hours: int = _fee(
        "day_count",
        24,
        "Hours after an order is forwarded within which the exporter must report its first status; 24.",
    )
    order_ship_days: int = _fee(
        "day_count", 5, "Days after an order is forwarded within which the exporter must report it shipped; 5."
    )
    return_decision_days: int = _fee(
        "day_count",
        7,
        "Days within which the exporter must decide on aged stock proposed for markdown, return or liquidation; 7.",
    )

    given: frozenset = field(default=frozenset(), compare=False, repr=False)
    """The fee keys the agreement states (the others take their defaults)."""
    broken: dict = field(default_factory=dict, compare=False, repr=False)
    """Legacy rows only: fee key -> TermsError, raised when that term is read."""

    def __getattribute__(self, name):
        broken = object.__getattribute__(self, "broken")
        if broken and name in broken:
            raise broken[name]
        return object.__getattribute__(self, name)

    # --- reading -------------------------------------------------------------------------------

    def aged_thresholds(self):
        """The agreed age thresholds in days, ascending, or the platform's."""
        return self.aged_threshold_days or tuple(sorted(set(settings.LOGISTICS["AGED_THRESHOLDS_DAYS"])))

    def grade_discount(self, grade):
        """The agreed discount (percent) of a graded offer of this grade; None for a grade that is
        never resold (new, unsellable)."""
        if grade not in RESALE_GRADES:
            return None
        return (self.resale_grade_discounts or {}).get(grade, DEFAULT_GRADE_DISCOUNTS[grade])

    def default_disposition(self, grade):
        """What becomes of a returned unit of this grade by the agreement (or its default)."""
        return (self.return_dispositions or {}).get(grade, DEFAULT_GRADE_DISPOSITIONS[grade])

    def storage_fee(self):
        """(rate per unit-day, currency), or None when no storage is charged."""
        return self._per_unit(self.warehouse_storage_per_unit_day, self.warehouse_storage_currency)

    def fulfilment_fee(self):
        """(fee per unit, currency), or None when no fulfilment fee is charged."""
        return self._per_unit(self.fulfilment_per_unit, self.fulfilment_currency)

    def service_payer(self, skill):
        """Who pays a service ticket of `skill` (installation, maintenance, repair) on these goods."""
        return getattr(self, f"service_{skill}_payer")

    def return_window(self, category_id=None):
        """The agreed return window in days for goods of this shared category."""
        return dict(self.return_window_by_category).get(category_id, self.return_window_days)

    def _per_unit(self, rate, currency):
        if not rate:
            return None
        return rate, currency or self.settlement_currency

    # --- parsing -------------------------------------------------------------------------------

    @classmethod
    def parse(cls, terms, *, partner_currency=None):
        """Proposed terms (a JSON object) as Terms; TermsError names the first wrong field or fee key."""
        if not isinstance(terms, dict):
            raise TermsError("terms", _("Terms must be an object."))
        currency = terms.get("settlement_currency") or partner_currency or settings.PLATFORM_CURRENCY
        try:
            currency = parse_currency(currency)
        except ValueError:
            raise TermsError("settlement_currency", _("Settlement currency must be an ISO 4217 code.")) from None
        try:
            rate = parse_rate(terms.get("commission_rate", "0.10"))
        except ValueError:
            raise TermsError(
                "commission_rate", _("Commission rate must be between 0 and 1 with at most 4 decimals.")
            ) from None
        scope = terms.get("category_scope") or []
        if not isinstance(scope, list) or not all(type(i) is int and i > 0 for i in scope):
            raise TermsError("category_scope", _("Category scope must be a list of taxonomy IDs."))
        try:
            cutoff = dt.time.fromisoformat(str(terms.get("settlement_cutoff", "23:00")))
            starts_on = dt.date.fromisoformat(str(terms.get("starts_on") or _today().isoformat()))
            ends_on = dt.date.fromisoformat(str(terms["ends_on"])) if terms.get("ends_on") else None
        except ValueError as exc:
            raise TermsError("terms", _("Bad time or date in terms: %(error)s") % {"error": exc}) from None
        if ends_on and ends_on < starts_on:
            raise TermsError("ends_on", _("The partnership cannot end before it starts."))
        schedule = terms.get("fee_schedule") or {}
        if not isinstance(schedule, dict):
            raise TermsError("fee_schedule", _("The fee schedule must map fee names to amounts."))
        unknown = sorted(str(key) for key in schedule if key not in FEE_TERMS)
        if unknown:
            raise TermsError(
                unknown[0],
                _("The fee schedule has an unknown term %(key)r; known terms: %(known)s.")
                % {"key": unknown[0], "known": ", ".join(FEE_TERMS)},
                field="fee_schedule",
            )
        fees, broken = _parse_fees(schedule)
        if broken:
            raise next(iter(broken.values()))
        return cls(
            settlement_currency=currency,
            commission_rate=rate,
            category_scope=tuple(sorted(set(scope))),
            settlement_cutoff=cutoff,
            starts_on=starts_on,
            ends_on=ends_on,
            given=frozenset(fees),
            **fees,
        )

    @classmethod
    def of(cls, partnership):
        """A stored partnership's terms. A missing fee takes its default, an unknown key is
        ignored, a bad value raises TermsError naming its key when that term is read."""
        schedule = partnership.fee_schedule if isinstance(partnership.fee_schedule, dict) else {}
        fees, broken = _parse_fees({key: value for key, value in schedule.items() if key in FEE_TERMS})
        return cls(
            settlement_currency=partnership.settlement_currency,
            commission_rate=partnership.commission_rate,
            category_scope=tuple(partnership.category_scope or ()),
            settlement_cutoff=partnership.settlement_cutoff,
            starts_on=partnership.starts_on,
            ends_on=partnership.ends_on,
            given=frozenset(fees),
            broken=broken,
            **fees,
        )

    # --- writing -------------------------------------------------------------------------------

    def fee_schedule_json(self):
        """The stated fee terms as JSON: amounts and percents as strings, flags as booleans, days
        as a list of integers, currency codes as strings."""
        out = {}
        for key in FEE_TERMS:
            if key in self.given:
                value = getattr(self, key)
                out[key] = _json_value(FEE_TERMS[key].metadata["kind"], value)
        return out

    def model_fields(self):
        """The Partnership columns these terms fill."""
        return {
            "settlement_currency": self.settlement_currency,
            "commission_rate": self.commission_rate,
            "fee_schedule": self.fee_schedule_json(),
            "category_scope": list(self.category_scope),
            "settlement_cutoff": self.settlement_cutoff,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
        }

    def as_json(self):
        """The agreement as exchanged with the partner."""
        return {
            "settlement_currency": self.settlement_currency,
            "commission_rate": str(self.commission_rate),
            "fee_schedule": self.fee_schedule_json(),
            "category_scope": list(self.category_scope),
            "settlement_cutoff": self.settlement_cutoff.strftime("%H:%M"),
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
        }


FEE_TERMS = {f.name: f for f in fields(Terms) if "kind" in f.metadata}
"""Fee-schedule key -> its dataclass field (metadata: kind, doc)."""


def _json_value(kind, value):
    if kind == "category_days":
        return {str(category): days for category, days in value}
    if isinstance(value, dict):
        return {key: _json_value(None, item) for key, item in sorted(value.items())}
    return list(value) if isinstance(value, tuple) else str(value) if isinstance(value, Decimal) else value


def _parse_fees(schedule):
    """({key: typed value} of the stated keys, {key: TermsError} of the bad ones)."""
    fees, broken = {}, {}
    for key, raw in schedule.items():
        if raw is None or raw == "":
            continue
        try:
            fees[key] = PARSERS[FEE_TERMS[key].metadata["kind"]](raw)
        except ValueError as exc:
            broken[key] = TermsError(
                key,
                _("The fee schedule's %(key)s is %(value)r; expected %(expected)s.")
                % {"key": key, "value": raw, "expected": exc.args[0] if exc.args else FEE_TERMS[key].metadata["kind"]},
                field="fee_schedule",
            )
    return fees, broken
