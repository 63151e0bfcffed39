"""The score formulas (docs/adr/0035-partners-scores-and-compliance.md), pure: `Figures` in, a
`Score` with its parts out. The same formulas score a current partner (figures read from this
platform's records) and a prospective one (figures ops typed in or the candidate sent).

Every part is a value from 0 to 100 with its weight and its evidence, or *missing* when the figures
do not allow it: a score is the weighted mean of the parts that are there, never of a guess, and
has no value at all when every part is missing."""

from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crossborder import money

from .errors import PartnersError
from .errors import PartnersErrorCode as Code

HUNDRED = Decimal(100)
PLACES = 2

KINDS = ("credit", "potential", "localization")

# Each score's parts, in the order they are shown; the policy's weights are keyed by these.
PARTS = {
    "credit": (
        "settlement_on_time",
        "statements_agree",
        "stock_reports_agree",
        "receipts_complete",
        "orders_acknowledged",
        "orders_shipped",
        "tracking_given",
        "return_decisions",
    ),
    "potential": ("sales_to_partner", "sales_from_partner", "shoppers", "catalog", "sell_through"),
    "localization": (
        "texts_in_our_language",
        "local_logistics",
        "local_payment",
        "local_service",
        "returns",
        "reviews",
    ),
}
DEFAULT_WEIGHTS = {
    "credit": {
        "settlement_on_time": 25,
        "statements_agree": 15,
        "stock_reports_agree": 10,
        "receipts_complete": 10,
        "orders_acknowledged": 15,
        "orders_shipped": 10,
        "tracking_given": 5,
        "return_decisions": 10,
    },
    "potential": {"sales_to_partner": 30, "sales_from_partner": 20, "shoppers": 20, "catalog": 15, "sell_through": 15},
    "localization": {
        "texts_in_our_language": 30,
        "local_logistics": 20,
        "local_payment": 10,
        "local_service": 10,
        "returns": 15,
        "reviews": 15,
    },
}
WEIGHTS_TOTAL = 100

PART_LABELS = {
    "settlement_on_time": gettext_lazy("settlement statements on time"),
    "statements_agree": gettext_lazy("statements without disputes"),
    "stock_reports_agree": gettext_lazy("stock reports without discrepancies"),
    "receipts_complete": gettext_lazy("first-leg receipts neither short nor damaged"),
    "orders_acknowledged": gettext_lazy("forwarded orders acknowledged on time"),
    "orders_shipped": gettext_lazy("forwarded orders shipped on time"),
    "tracking_given": gettext_lazy("shipped lines with tracking"),
    "return_decisions": gettext_lazy("aged-stock decisions on time"),
    "sales_to_partner": gettext_lazy("growth of our sales of its goods"),
    "sales_from_partner": gettext_lazy("growth of its sales of our goods"),
    "shoppers": gettext_lazy("growth of shoppers buying its goods"),
    "catalog": gettext_lazy("growth of its offered catalog"),
    "sell_through": gettext_lazy("sell-through of its consignment stock"),
    "texts_in_our_language": gettext_lazy("offered catalog with texts in our language"),
    "local_logistics": gettext_lazy("offered catalog stocked in our warehouses"),
    "local_payment": gettext_lazy("local payment coverage"),
    "local_service": gettext_lazy("local service providers for its goods"),
    "returns": gettext_lazy("return rate here"),
    "reviews": gettext_lazy("review scores here"),
}


# --- the figures ---------------------------------------------------------------------------------


def _count():
    return field(default=None, metadata={"kind": "count"})


@dataclass(frozen=True)
class Figures:
    """What the scores are computed from; None is "not known" (the part that needs it is missing).
    Pairs are (bad, total) counts over the look-back window; growth series are (previous, current)
    over two equal periods."""

    settlements: int | None = _count()
    settlements_late: int | None = _count()
    statements: int | None = _count()
    statements_disputed: int | None = _count()
    stock_reports: int | None = _count()
    stock_reports_disagreeing: int | None = _count()
    receipt_lines: int | None = _count()
    receipt_lines_short_or_damaged: int | None = _count()
    orders_forwarded: int | None = _count()
    orders_acknowledged_late: int | None = _count()
    orders_shipped: int | None = _count()
    orders_shipped_late: int | None = _count()
    shipped_lines: int | None = _count()
    shipped_lines_untracked: int | None = _count()
    return_decisions: int | None = _count()
    return_decisions_late: int | None = _count()
    sales_to_partner_previous: int | None = _count()
    sales_to_partner_current: int | None = _count()
    sales_from_partner_previous: int | None = _count()
    sales_from_partner_current: int | None = _count()
    shoppers_previous: int | None = _count()
    shoppers_current: int | None = _count()
    catalog_previous: int | None = _count()
    catalog_current: int | None = _count()
    consignment_sold: int | None = _count()
    consignment_on_hand: int | None = _count()
    catalog_live: int | None = _count()
    catalog_in_our_language: int | None = _count()
    catalog_stocked_here: int | None = _count()
    local_payment_percent: int | None = field(default=None, metadata={"kind": "percent"})
    needs_installation: int | None = _count()
    installation_providers: int | None = _count()
    units_sold: int | None = _count()
    units_returned: int | None = _count()
    reviews: int | None = _count()
    rating_sum: int | None = _count()

    def as_json(self):
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


FIGURE_NAMES = tuple(f.name for f in fields(Figures))
# (bad, total) pairs: the bad never exceed the total.
BAD_OF_TOTAL = (
    ("settlements_late", "settlements"),
    ("statements_disputed", "statements"),
    ("stock_reports_disagreeing", "stock_reports"),
    ("receipt_lines_short_or_damaged", "receipt_lines"),
    ("orders_acknowledged_late", "orders_forwarded"),
    ("orders_shipped_late", "orders_shipped"),
    ("shipped_lines_untracked", "shipped_lines"),
    ("return_decisions_late", "return_decisions"),
    ("catalog_in_our_language", "catalog_live"),
    ("catalog_stocked_here", "catalog_live"),
    ("units_returned", "units_sold"),
)
GROWTH_SERIES = ("sales_to_partner", "sales_from_partner", "shoppers", "catalog")
MAX_COUNT = 2_000_000_000


def parse_figures(raw):
    """Figures from a JSON object (ops' entry or a partner's metrics message), refused naming the
    field: unknown names, counts that are not whole numbers from 0, a part above its whole, ratings
    above 5 a review, a growth claimed with no earlier period (`<series>_growth_percent` with no or
    zero `<series>_previous`)."""
    if not isinstance(raw, dict):
        raise PartnersError(Code.INVALID_FIGURES, _("The figures must be an object."), field="figures")
    growth_keys = {f"{series}_growth_percent" for series in GROWTH_SERIES}
    unknown = sorted(str(key) for key in raw if key not in FIGURE_NAMES and key not in growth_keys)
    if unknown:
        raise PartnersError(
            Code.INVALID_FIGURES,
            _("Unknown figure %(name)r; known figures: %(known)s.")
            % {"name": unknown[0], "known": ", ".join(FIGURE_NAMES)},
            field=unknown[0],
        )
    values = {}
    for name in FIGURE_NAMES:
        value = raw.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise PartnersError(
                Code.INVALID_FIGURES,
                _("%(name)s must be a whole number from 0, not %(value)r.") % {"name": name, "value": value},
                field=name,
            )
        values[name] = value
    if values.get("local_payment_percent", 0) > 100:
        raise PartnersError(
            Code.INVALID_FIGURES, _("local_payment_percent is a percent from 0 to 100."), field="local_payment_percent"
        )
    for bad, total in BAD_OF_TOTAL:
        if bad in values and values.get(total) is None:
            raise PartnersError(
                Code.INVALID_FIGURES, _("%(bad)s needs %(total)s.") % {"bad": bad, "total": total}, field=total
            )
        if values.get(bad, 0) > values.get(total, 0) and bad in values:
            raise PartnersError(
                Code.INVALID_FIGURES,
                _("%(bad)s (%(n)s) cannot exceed %(total)s (%(m)s).")
                % {"bad": bad, "n": values[bad], "total": total, "m": values[total]},
                field=bad,
            )
    if values.get("rating_sum", 0) > 5 * values.get("reviews", 0) or (
        values.get("reviews") and values.get("rating_sum", 0) < values["reviews"]
    ):
        raise PartnersError(Code.INVALID_FIGURES, _("rating_sum must be 1 to 5 per review."), field="rating_sum")
    for series in GROWTH_SERIES:
        claimed = raw.get(f"{series}_growth_percent")
        if claimed is None:
            continue
        if not values.get(f"{series}_previous"):
            raise PartnersError(
                Code.GROWTH_WITHOUT_HISTORY,
                _("%(name)s claims growth but %(series)s_previous is missing or zero: growth needs an earlier period.")
                % {"name": f"{series}_growth_percent", "series": series},
                field=f"{series}_growth_percent",
            )
        if values.get(f"{series}_current") is None:
            raise PartnersError(
                Code.INVALID_FIGURES,
                _("%(name)s needs %(series)s_current.") % {"name": f"{series}_growth_percent", "series": series},
                field=f"{series}_current",
            )
    return Figures(**values)


# --- the scores ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    key: str
    value: Decimal | None  # 0-100, None when missing
    weight: int
    evidence: str

    @property
    def missing(self):
        return self.value is None

    @property
    def label(self):
        return str(PART_LABELS[self.key])

    def as_json(self):
        return {
            "key": self.key,
            "value": None if self.value is None else str(self.value),
            "weight": self.weight,
            "evidence": self.evidence,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class Score:
    kind: str
    value: Decimal | None
    parts: tuple

    @property
    def missing(self):
        return [part.key for part in self.parts if part.missing]


def _pct(numerator, denominator):
    return money.round_to(HUNDRED * Decimal(numerator) / Decimal(denominator), PLACES)


def _clamp(value):
    return min(HUNDRED, max(Decimal(0), value))


def _share_good(bad, total, *, what):
    """100 x (1 - bad / total): the share of `total` that went well."""
    if total is None or bad is None:
        return None, _("missing data: %(what)s not known") % {"what": what}
    if total == 0:
        return None, _("missing data: no %(what)s observed") % {"what": what}
    return _pct(total - bad, total), _("%(bad)s of %(total)s %(what)s") % {"bad": bad, "total": total, "what": what}


def _share(part, total, *, what):
    if total is None or part is None:
        return None, _("missing data: %(what)s not known") % {"what": what}
    if total == 0:
        return None, _("missing data: no %(what)s") % {"what": what}
    return _pct(part, total), _("%(part)s of %(total)s %(what)s") % {"part": part, "total": total, "what": what}


def _growth(previous, current, full_growth_percent, *, what):
    """50 for no change, 100 at `full_growth_percent` growth or more, 0 at the same fall or more."""
    if previous is None or current is None:
        return None, _("missing data: %(what)s not known") % {"what": what}
    if previous == 0:
        return None, _("missing data: no %(what)s in the earlier period, growth unknown") % {"what": what}
    growth = HUNDRED * Decimal(current - previous) / Decimal(previous)
    value = _clamp(Decimal(50) + Decimal(50) * growth / Decimal(full_growth_percent))
    return money.round_to(value, PLACES), _("%(what)s %(previous)s then %(current)s (%(growth)s%%)") % {
        "what": what,
        "previous": previous,
        "current": current,
        "growth": money.round_to(growth, 1),
    }


def _part_values(kind, f, policy):
    if kind == "credit":
        return {
            "settlement_on_time": _share_good(f.settlements_late, f.settlements, what=_("periods' statements late")),
            "statements_agree": _share_good(f.statements_disputed, f.statements, what=_("statements disputed")),
            "stock_reports_agree": _share_good(
                f.stock_reports_disagreeing, f.stock_reports, what=_("stock reports disagreeing")
            ),
            "receipts_complete": _share_good(
                f.receipt_lines_short_or_damaged, f.receipt_lines, what=_("receipt lines short or damaged")
            ),
            "orders_acknowledged": _share_good(
                f.orders_acknowledged_late, f.orders_forwarded, what=_("forwarded orders acknowledged late")
            ),
            "orders_shipped": _share_good(f.orders_shipped_late, f.orders_shipped, what=_("orders shipped late")),
            "tracking_given": _share_good(
                f.shipped_lines_untracked, f.shipped_lines, what=_("shipped lines without tracking")
            ),
            "return_decisions": _share_good(
                f.return_decisions_late, f.return_decisions, what=_("aged-stock decisions late")
            ),
        }
    if kind == "potential":
        full = policy.full_growth_percent
        sold, on_hand = f.consignment_sold, f.consignment_on_hand
        return {
            "sales_to_partner": _growth(
                f.sales_to_partner_previous, f.sales_to_partner_current, full, what=_("units of its goods we sold")
            ),
            "sales_from_partner": _growth(
                f.sales_from_partner_previous, f.sales_from_partner_current, full, what=_("units of our goods it sold")
            ),
            "shoppers": _growth(f.shoppers_previous, f.shoppers_current, full, what=_("shoppers of its goods")),
            "catalog": _growth(f.catalog_previous, f.catalog_current, full, what=_("offered products")),
            "sell_through": _share(
                sold, None if sold is None or on_hand is None else sold + on_hand, what=_("consignment units sold")
            ),
        }
    return {
        "texts_in_our_language": _share(
            f.catalog_in_our_language, f.catalog_live, what=_("offered products with texts in our language")
        ),
        "local_logistics": _share(f.catalog_stocked_here, f.catalog_live, what=_("offered products stocked here")),
        "local_payment": _local_payment(f.local_payment_percent),
        "local_service": _local_service(f.needs_installation, f.installation_providers),
        "returns": _return_rate(f.units_returned, f.units_sold, policy.max_return_rate_percent),
        "reviews": _reviews(f.reviews, f.rating_sum),
    }


def _local_payment(percent):
    if percent is None:
        return None, _("missing data: local payment coverage not known")
    return Decimal(percent), _("%(percent)s%% of its sales payable by local methods") % {"percent": percent}


def _local_service(needing, providers):
    if needing is None or providers is None:
        return None, _("missing data: installation needs or providers not known")
    if needing == 0:
        return HUNDRED, _("none of its offered products needs installation")
    value = HUNDRED if providers else Decimal(0)
    return value, _("%(needing)s products need installation; %(providers)s local providers install") % {
        "needing": needing,
        "providers": providers,
    }


def _return_rate(returned, sold, max_rate_percent):
    """100 for no returns, 0 at `max_rate_percent` of units returned or more."""
    if returned is None or sold is None:
        return None, _("missing data: returns not known")
    if sold == 0:
        return None, _("missing data: none of its goods sold here")
    rate = HUNDRED * Decimal(returned) / Decimal(sold)
    value = _clamp(HUNDRED - HUNDRED * rate / Decimal(max_rate_percent))
    return money.round_to(value, PLACES), _("%(returned)s of %(sold)s units returned") % {
        "returned": returned,
        "sold": sold,
    }


def _reviews(count, rating_sum):
    """A mean rating of 1 is 0, of 5 is 100."""
    if count is None or rating_sum is None:
        return None, _("missing data: reviews not known")
    if count == 0:
        return None, _("missing data: no reviews here")
    value = HUNDRED * (Decimal(rating_sum) / Decimal(count) - 1) / 4
    return money.round_to(value, PLACES), _("%(count)s reviews, mean %(mean)s of 5") % {
        "count": count,
        "mean": money.round_to(Decimal(rating_sum) / Decimal(count), 2),
    }


def compute(kind, figures, policy):
    """The score of `kind` from `figures` under `policy` (its weights and thresholds)."""
    weights = policy.weights_of(kind)
    values = _part_values(kind, figures, policy)
    parts = tuple(Part(key, values[key][0], weights[key], str(values[key][1])) for key in PARTS[kind])
    present = [part for part in parts if part.value is not None and part.weight]
    total_weight = sum(part.weight for part in present)
    if not total_weight:
        return Score(kind, None, parts)
    value = sum(part.value * part.weight for part in present) / Decimal(total_weight)
    return Score(kind, money.round_to(value, PLACES), parts)
