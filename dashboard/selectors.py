"""The ops dashboard's charts, each built from the lower apps' selectors: a table (its columns and
rows, which the page shows and the CSV download writes as they are) and the chart drawn from the
same figures (labels along the x axis, one dataset per series). Amounts stay Decimal; the page
passes them to the browser as text.

Scores and compliance breaches come from the `partners` app when it is installed; without it the two
charts say they are not available."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales import selectors as aftersales_selectors
from crossborder import money
from crossborder import selectors as core_selectors
from logistics import selectors as logistics_selectors
from partner_zone import selectors as zone_selectors
from payments.ledger import selectors as ledger_selectors
from payments.ledger.models import SettlementBatch, SettlementDispute
from payments.shop import selectors as shop_selectors

PERIODS = (7, 30, 90, 365)  # days the filter offers
DEFAULT_PERIOD = 30


@dataclass(frozen=True)
class Filters:
    """What the page shows: one partner (its code) or all, over the last `days` days to `now`."""

    partner: str = ""
    days: int = DEFAULT_PERIOD
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def since(self):
        """The start of the period: midnight (current time zone) of the first of its `days` days."""
        first_day = timezone.localdate(self.now) - dt.timedelta(days=self.days - 1)
        return timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))

    @property
    def days_list(self):
        first_day = timezone.localdate(self.since)
        return [first_day + dt.timedelta(days=n) for n in range(self.days)]


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # Chart.js chart type: "line" or "bar"
    columns: list
    rows: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    datasets: list = field(default_factory=list)  # [{"label": str, "data": [number or None]}]
    stacked: bool = False
    y_title: str = ""
    available: bool = True
    note: str = ""

    @property
    def has_data(self):
        return bool(self.rows)

    def payload(self):
        """What the browser draws: numbers as text (Decimal kept exact), None as a gap."""
        return {
            "type": self.kind,
            "stacked": self.stacked,
            "yTitle": str(self.y_title),
            "labels": [str(label) for label in self.labels],
            "datasets": [
                {"label": str(d["label"]), "data": [None if v is None else str(v) for v in d["data"]]}
                for d in self.datasets
            ],
        }


def _amount(value, currency):
    """A summed amount in its currency's minor units (sums of money columns carry their extra places)."""
    return None if value is None else money.quantize(value, currency)


def _partner_label(code, name):
    return f"{name} ({code})" if name else code


def _series(rows, *, labels, label_of, series_of, value_of):
    """Datasets of summed values: one per series (in first-seen order), a value per x label (0 where
    there is none)."""
    sums = defaultdict(lambda: defaultdict(Decimal))
    order = []
    for row in rows:
        series = series_of(row)
        if series not in sums:
            order.append(series)
        sums[series][label_of(row)] += value_of(row) or 0
    return [{"label": series, "data": [sums[series].get(label, 0) for label in labels]} for series in order]


# --- sales, both ways ----------------------------------------------------------------------------


def sales_in(filters):
    rows = shop_selectors.partner_goods_sold_per_day(since=filters.since, partner_code=filters.partner or None)
    return _sales_in_chart(rows, filters)


def _sales_in_chart(rows, filters):
    return _sales_chart(
        rows,
        filters,
        key="sales-in",
        title=_("What we sold of partners' goods, per day"),
        y_title=_("Amount paid by our shoppers"),
    )


def sales_out(filters):
    rows = shop_selectors.our_goods_sold_by_partners_per_day(since=filters.since, partner_code=filters.partner or None)
    return _sales_chart(
        rows,
        filters,
        key="sales-out",
        title=_("What partners sold of our goods, per day"),
        y_title=_("Export amount owed to us"),
    )


def _sales_chart(rows, filters, *, key, title, y_title):
    """Sales per day and partner, both ways: the units and the amount, a line per partner and
    currency (a line received before export amounts were kept counts its units, with no amount)."""
    labels = [day.isoformat() for day in filters.days_list]
    return Chart(
        key=key,
        title=title,
        kind="line",
        columns=[_("Day"), _("Partner"), _("Units"), _("Amount"), _("Currency")],
        rows=[
            [
                r["day"].isoformat(),
                _partner_label(r["partner"], r["partner_name"]),
                r["units"],
                _amount(r["amount"], r["currency"]) if r["currency"] else None,
                r["currency"] or "",
            ]
            for r in rows
        ],
        labels=labels,
        datasets=_series(
            [r for r in rows if r["currency"]],
            labels=labels,
            label_of=lambda r: r["day"].isoformat(),
            series_of=lambda r: f"{_partner_label(r['partner'], r['partner_name'])} ({r['currency']})",
            value_of=lambda r: r["amount"],
        ),
        y_title=y_title,
    )


# --- settlement and disputes ---------------------------------------------------------------------


def settlements(filters):
    rows = ledger_selectors.settlement_totals(since=filters.since, partner_code=filters.partner or None)
    status_names = dict(SettlementBatch.Status.choices)
    labels = _labels_in_order(f"{_partner_label(r['partner'], r['partner_name'])} ({r['currency']})" for r in rows)
    return Chart(
        key="settlements",
        title=_("Settlement balances by status"),
        kind="bar",
        stacked=True,
        columns=[
            _("Partner"),
            _("Currency"),
            _("Status"),
            _("Batches"),
            _("Net amount (positive: the partner owes us)"),
        ],
        rows=[
            [
                _partner_label(r["partner"], r["partner_name"]),
                r["currency"],
                str(status_names.get(r["status"], r["status"])),
                r["batches"],
                _amount(r["net"], r["currency"]),
            ]
            for r in rows
        ],
        labels=labels,
        datasets=_series(
            rows,
            labels=labels,
            label_of=lambda r: f"{_partner_label(r['partner'], r['partner_name'])} ({r['currency']})",
            series_of=lambda r: str(status_names.get(r["status"], r["status"])),
            value_of=lambda r: _amount(r["net"], r["currency"]),
        ),
        y_title=_("Net amount"),
    )


def disputes(filters):
    rows = ledger_selectors.dispute_totals(since=filters.since, partner_code=filters.partner or None)
    status_names = dict(SettlementDispute.Status.choices)
    labels = _labels_in_order(_partner_label(r["partner"], r["partner_name"]) for r in rows)
    return Chart(
        key="disputes",
        title=_("Settlement disputes"),
        kind="bar",
        stacked=True,
        columns=[_("Partner"), _("Currency"), _("Status"), _("Disputes"), _("Difference")],
        rows=[
            [
                _partner_label(r["partner"], r["partner_name"]),
                r["currency"],
                str(status_names.get(r["status"], r["status"])),
                r["disputes"],
                _amount(r["difference"], r["currency"]),
            ]
            for r in rows
        ],
        labels=labels,
        datasets=_series(
            rows,
            labels=labels,
            label_of=lambda r: _partner_label(r["partner"], r["partner_name"]),
            series_of=lambda r: str(status_names.get(r["status"], r["status"])),
            value_of=lambda r: r["disputes"],
        ),
        y_title=_("Disputes"),
    )


# --- consignment stock ---------------------------------------------------------------------------


def stock_value(filters):
    rows = zone_selectors.consignment_stock_values(partner_code=filters.partner or None)
    labels = [f"{_partner_label(r['partner'], r['partner_name'])} ({r['currency']})" for r in rows]
    return Chart(
        key="stock-value",
        title=_("Partners' consignment stock in our warehouses, at export prices"),
        kind="bar",
        columns=[_("Partner"), _("Currency"), _("Units"), _("Value")],
        rows=[
            [
                _partner_label(r["partner"], r["partner_name"]),
                r["currency"],
                r["units"],
                _amount(r["value"], r["currency"]),
            ]
            for r in rows
        ],
        labels=labels,
        datasets=[{"label": _("Value"), "data": [_amount(r["value"], r["currency"]) for r in rows]}],
        y_title=_("Value"),
    )


def stock_age(filters):
    rows = logistics_selectors.consignment_stock_ages(now=filters.now, partner_code=filters.partner or None)
    labels = _labels_in_order(_partner_label(r["partner"], r["partner_name"]) for r in rows)
    return Chart(
        key="stock-age",
        title=_("Age of partners' consignment stock"),
        kind="bar",
        stacked=True,
        columns=[_("Partner"), _("Age (days)"), _("Units")],
        rows=[[_partner_label(r["partner"], r["partner_name"]), r["bucket"], r["units"]] for r in rows if r["units"]],
        labels=labels,
        datasets=_series(
            rows,
            labels=labels,
            label_of=lambda r: _partner_label(r["partner"], r["partner_name"]),
            series_of=lambda r: _("%(days)s days") % {"days": r["bucket"]},
            value_of=lambda r: r["units"],
        ),
        y_title=_("Units"),
    )


# --- first leg against express -------------------------------------------------------------------


def first_leg(filters):
    comparisons = logistics_selectors.first_leg_comparisons(since=filters.since, partner_code=filters.partner or None)
    rows, sums, labels = [], defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)]), []
    for consignment, c in comparisons:
        partner = consignment.partnership.partner
        rows.append(
            [
                timezone.localdate(consignment.received_at).isoformat(),
                _partner_label(partner.code, partner.name),
                consignment.get_direction_display(),
                str(consignment.reference)[:8],
                c.units,
                c.currency,
                c.first_leg_total,
                c.express_total,
                c.saving,
                c.saving_percent,
                str(c.problem) or None,
            ]
        )
        if c.saving is None:
            continue
        label = f"{_partner_label(partner.code, partner.name)} ({c.currency})"
        if label not in sums:
            labels.append(label)
        total = sums[label]
        total[0] += c.first_leg_total
        total[1] += c.express_total
        total[2] += c.saving
    return Chart(
        key="first-leg",
        title=_("First-leg cost against international express"),
        kind="bar",
        columns=[
            _("Received"),
            _("Partner"),
            _("Direction"),
            _("Consignment"),
            _("Units"),
            _("Currency"),
            _("First-leg cost"),
            _("By express"),
            _("Saved"),
            _("Saved (%)"),
            _("Note"),
        ],
        rows=rows,
        labels=labels,
        datasets=[
            {"label": _("First-leg cost"), "data": [sums[label][0] for label in labels]},
            {"label": _("By express"), "data": [sums[label][1] for label in labels]},
            {"label": _("Saved"), "data": [sums[label][2] for label in labels]},
        ],
        y_title=_("Amount"),
    )


# --- returns -------------------------------------------------------------------------------------


def return_rates(filters):
    sold = shop_selectors.partner_goods_sold_per_day(since=filters.since, partner_code=filters.partner or None)
    returned = aftersales_selectors.partner_goods_returned(since=filters.since, partner_code=filters.partner or None)
    return _return_rates_chart(sold, returned)


def _return_rates_chart(sold, returned):
    units_sold, names = defaultdict(int), {}
    for row in sold:
        units_sold[row["partner"]] += row["units"]
        names[row["partner"]] = row["partner_name"]
    units_back = {row["partner"]: row["units"] for row in returned}
    for row in returned:
        names.setdefault(row["partner"], row["partner_name"])
    codes = sorted(set(units_sold) | set(units_back))
    rows = []
    for code in codes:
        out, back = units_sold.get(code, 0), units_back.get(code, 0)
        rate = money.round_to(Decimal(back) * 100 / out, 1) if out else None
        rows.append([_partner_label(code, names[code]), out, back, rate])
    return Chart(
        key="return-rates",
        title=_("Return rates of partners' goods"),
        kind="bar",
        columns=[_("Partner"), _("Units sold"), _("Units returned"), _("Return rate (%)")],
        rows=rows,
        labels=[row[0] for row in rows],
        datasets=[{"label": _("Return rate (%)"), "data": [row[3] for row in rows]}],
        y_title=_("Return rate (%)"),
    )


# --- scores and compliance, from the partners app ------------------------------------------------

SCORE_KINDS = {
    "credit": gettext_lazy("credit"),
    "potential": gettext_lazy("development potential"),
    "localization": gettext_lazy("localization"),
}


def _partners_installed():
    return apps.is_installed("partners")


def _not_available(chart):
    chart.available = False
    chart.note = _("Not available: partner scores and compliance are not installed on this platform.")
    return chart


def scores(filters):
    chart = Chart(
        key="scores",
        title=_("Partner scores over time"),
        kind="line",
        columns=[_("Computed at"), _("Partner"), _("Score"), _("Value")],
        y_title=_("Score"),
    )
    if not _partners_installed():
        return _not_available(chart)
    from partners.selectors import score_history

    history = score_history(partner=filters.partner or None, since=filters.since)
    history = sorted(history, key=lambda r: (r["computed_at"], r["partner"], r["kind"]))
    chart.rows = [
        [
            timezone.localtime(r["computed_at"]).strftime("%Y-%m-%d %H:%M"),
            _partner_label(r["partner"], r["partner_name"]),
            str(SCORE_KINDS.get(r["kind"], r["kind"])),
            r["value"],
        ]
        for r in history
    ]
    chart.labels = _labels_in_order(timezone.localdate(r["computed_at"]).isoformat() for r in history)
    last = defaultdict(dict)  # series -> day -> the day's last value (None: not computed, missing data)
    order = []
    for r in history:
        series = f"{_partner_label(r['partner'], r['partner_name'])}: {SCORE_KINDS.get(r['kind'], r['kind'])}"
        if series not in last:
            order.append(series)
        last[series][timezone.localdate(r["computed_at"]).isoformat()] = r["value"]
    chart.datasets = [{"label": s, "data": [last[s].get(label) for label in chart.labels]} for s in order]
    return chart


def breaches(filters):
    chart = Chart(
        key="breaches",
        title=_("Compliance breaches"),
        kind="bar",
        stacked=True,
        columns=[_("Observed at"), _("Partner"), _("Term"), _("Severity"), _("Evidence")],
        y_title=_("Breaches"),
    )
    if not _partners_installed():
        return _not_available(chart)
    from partners.selectors import breach_rows

    found = sorted(
        breach_rows(partner=filters.partner or None, since=filters.since),
        key=lambda r: (r["observed_at"], r["partner"]),
    )
    chart.rows = [
        [
            timezone.localtime(r["observed_at"]).strftime("%Y-%m-%d %H:%M"),
            _partner_label(r["partner"], r["partner_name"]),
            str(r["term"]),
            str(r["severity"]),
            _evidence_text(r["evidence"]),
        ]
        for r in found
    ]
    chart.labels = _labels_in_order(_partner_label(r["partner"], r["partner_name"]) for r in found)
    chart.datasets = _series(
        found,
        labels=chart.labels,
        label_of=lambda r: _partner_label(r["partner"], r["partner_name"]),
        series_of=lambda r: str(r["severity"]),
        value_of=lambda r: 1,
    )
    return chart


def _evidence_text(evidence):
    if isinstance(evidence, dict):
        return "; ".join(f"{key}: {value}" for key, value in evidence.items())
    if isinstance(evidence, list | tuple):
        return "; ".join(str(item) for item in evidence)
    return "" if evidence is None else str(evidence)


def _labels_in_order(labels):
    seen = []
    for label in labels:
        if label not in seen:
            seen.append(label)
    return seen


# --- the page ------------------------------------------------------------------------------------

CHARTS = {
    "sales-in": sales_in,
    "sales-out": sales_out,
    "settlements": settlements,
    "disputes": disputes,
    "stock-value": stock_value,
    "stock-age": stock_age,
    "first-leg": first_leg,
    "return-rates": return_rates,
    "scores": scores,
    "breaches": breaches,
}


def chart(key, filters):
    """One chart by its key (None for an unknown key)."""
    build = CHARTS.get(key)
    return build(filters) if build else None


def all_charts(filters):
    """Every chart of the page, in its order. Sales both ways and the return rates share one read of
    what we sold."""
    sold = shop_selectors.partner_goods_sold_per_day(since=filters.since, partner_code=filters.partner or None)
    returned = aftersales_selectors.partner_goods_returned(since=filters.since, partner_code=filters.partner or None)
    return [
        _sales_in_chart(sold, filters),
        sales_out(filters),
        settlements(filters),
        disputes(filters),
        stock_value(filters),
        stock_age(filters),
        first_leg(filters),
        _return_rates_chart(sold, returned),
        scores(filters),
        breaches(filters),
    ]


def partner_choices():
    return core_selectors.partner_choices()
