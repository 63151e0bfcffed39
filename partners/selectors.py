"""Reads of partner scores and compliance: a partner's figures and the agreement terms it kept or
missed (read from the other apps through their selectors), the score history and the breaches
(which the ops dashboard charts), and the latest scores of partners and prospects side by side."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from aftersales import selectors as aftersales_selectors
from catalog import selectors as catalog_selectors
from crossborder import selectors as core_selectors
from crossborder.models import OutboxMessage, Partnership
from crossborder.terms import TermsError
from logistics import selectors as logistics_selectors
from partner_zone import selectors as zone_selectors
from payments.ledger import selectors as ledger_selectors
from payments.shop import selectors as shop_selectors

from .models import ComplianceBreach, PartnerScore, Prospect
from .scoring import Figures

WATCHED_STATUSES = (Partnership.Status.ACTIVE, Partnership.Status.SUSPENDED)


@dataclass(frozen=True)
class Observation:
    """One promise of an agreement term that fell due (or was kept before it did): late when it was
    kept after `due_at`, or not kept and `due_at` has passed."""

    term: str
    reference: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    evidence: str

    @property
    def late(self):
        return self.done_at is None or self.done_at > self.due_at


def _term(terms, name, default):
    """A compliance term of the agreement; a broken stored value (a legacy row) takes the default."""
    try:
        return getattr(terms, name)
    except TermsError:
        return default


def watched_partnerships():
    return list(Partnership.objects.filter(status__in=WATCHED_STATUSES).select_related("partner"))


def observations(*, partnership, since, now):
    """Every observable promise of the agreement that fell due by `now` (or was kept) since `since`,
    per term: settlement statements, dispute answers, first-leg receipts, order acknowledgements,
    order shipping, aged-stock decisions. Six queries plus one per order record."""
    terms = partnership.terms
    hours = dt.timedelta(hours=1)
    days = dt.timedelta(days=1)
    due_statement = _term(terms, "settlement_statement_hours", 24) * hours
    found = []

    def add(term, reference, due_at, done_at, evidence):
        if done_at is not None or due_at <= now:
            found.append(Observation(term, reference, due_at, done_at, evidence))

    for batch in ledger_selectors.settlement_record(partnership=partnership, since=since):
        due = batch["period_end"] + due_statement
        add(
            "settlement_on_time",
            f"period:{batch['period_end'].isoformat()}",
            due,
            batch["statement_at"],
            f"period ending {batch['period_end']:%Y-%m-%d %H:%M} UTC: statement due {due:%Y-%m-%d %H:%M}, "
            + (f"received {batch['statement_at']:%Y-%m-%d %H:%M}" if batch["statement_at"] else "not received"),
        )
    dispute_days = _term(terms, "dispute_answer_days", 7) * days
    for dispute in ledger_selectors.dispute_record(partnership=partnership, since=since):
        due = dispute["created_at"] + dispute_days
        add(
            "dispute_answered",
            f"dispute:{dispute['id']}",
            due,
            dispute["resolved_at"],
            f"dispute on {dispute['event_reference']} opened {dispute['created_at']:%Y-%m-%d}, answer due {due:%Y-%m-%d}",
        )
    receipt_days = _term(terms, "receipt_days", 14) * days
    for consignment in logistics_selectors.receipt_record(partnership=partnership, since=since):
        due = consignment["notified_at"] + receipt_days
        add(
            "receipt_in_time",
            f"consignment:{consignment['reference']}",
            due,
            consignment["received_at"],
            f"consignment {consignment['reference']} notified {consignment['notified_at']:%Y-%m-%d}, "
            f"receipt due {due:%Y-%m-%d}",
        )
    ack_hours = _term(terms, "order_ack_hours", 24) * hours
    ship_days = _term(terms, "order_ship_days", 5) * days
    for order in shop_selectors.forwarded_record(partnership=partnership, since=since):
        forwarded_at = order["forwarded_at"]
        due = forwarded_at + ack_hours
        acknowledged = order["acknowledged_at"]
        add(
            "order_acknowledged",
            f"order:{order['order']}",
            due,
            acknowledged,
            f"order #{order['order']} forwarded {forwarded_at:%Y-%m-%d %H:%M}, acknowledgement due {due:%Y-%m-%d %H:%M}, "
            + (f"acknowledged {acknowledged:%Y-%m-%d %H:%M}" if acknowledged else "not acknowledged"),
        )
        if order["shipped_at"] is not None:
            due = forwarded_at + ship_days
            add(
                "order_shipped",
                f"order:{order['order']}",
                due,
                order["shipped_at"],
                f"order #{order['order']} forwarded {forwarded_at:%Y-%m-%d}, shipping due {due:%Y-%m-%d}, "
                f"shipped {order['shipped_at']:%Y-%m-%d}",
            )
    decision_days = _term(terms, "return_decision_days", 7) * days
    for action in logistics_selectors.aged_decision_record(partnership=partnership, since=since):
        due = action["created_at"] + decision_days
        add(
            "return_decision",
            f"aged:{action['reference']}",
            due,
            action["decided_at"],
            f"{action['action']} of aged stock proposed {action['created_at']:%Y-%m-%d}, decision due {due:%Y-%m-%d}",
        )
    return found


def _late_of(found, term):
    of_term = [o for o in found if o.term == term]
    return sum(1 for o in of_term if o.late), len(of_term)


def partner_figures(*, partnership, policy, now):
    """A current partner's figures over the policy's windows, read from this platform's records."""
    since = now - dt.timedelta(days=policy.window_days)
    period = dt.timedelta(days=policy.growth_days)
    # An earlier figure only where the partnership covers the whole earlier period: a partial one
    # (a partnership younger than two growth periods) would score invented growth.
    with_history = partnership.created_at <= now - 2 * period
    catalog_history = partnership.created_at <= now - period
    found = observations(partnership=partnership, since=since, now=now)
    settlements_late, settlements = _late_of(found, "settlement_on_time")
    acknowledged_late, forwarded = _late_of(found, "order_acknowledged")
    shipped_late, shipped = _late_of(found, "order_shipped")
    decisions_late, decisions = _late_of(found, "return_decision")
    batches = ledger_selectors.settlement_record(partnership=partnership, since=since)
    compared = [b for b in batches if b["status"] != "open"]
    receipts = [c for c in logistics_selectors.receipt_record(partnership=partnership, since=since) if c["received_at"]]
    stock_reports = logistics_selectors.stock_report_record(partnership=partnership, since=since)
    orders = shop_selectors.forwarded_record(partnership=partnership, since=since)
    shipped_lines = {line for order in orders for line in order["lines"]}
    tracked = logistics_selectors.references_with_tracking(shipped_lines) if shipped_lines else set()
    current = shop_selectors.partner_goods_sales(partnership=partnership, start=now - period, end=now)
    previous = shop_selectors.partner_goods_sales(partnership=partnership, start=now - 2 * period, end=now - period)
    window_sales = shop_selectors.partner_goods_sales(partnership=partnership, start=since, end=now)
    catalog = zone_selectors.catalog_figures(
        partnership=partnership, language=settings.LANGUAGE_CODE, at=now, before=now - period
    )
    sell_through = logistics_selectors.consignment_sell_through(partner=partnership.partner, since=since)
    aftersales = aftersales_selectors.partner_goods_aftersales(partnership=partnership, since=since)
    return Figures(
        settlements=settlements,
        settlements_late=settlements_late,
        statements=len(compared),
        statements_disputed=sum(1 for b in compared if b["status"] == "disputed"),
        stock_reports=stock_reports["reports"],
        stock_reports_disagreeing=stock_reports["disagreeing"],
        receipt_lines=sum(c["line_total"] for c in receipts),
        receipt_lines_short_or_damaged=sum(min(c["line_total"], c["short"] + c["damaged_lines"]) for c in receipts),
        orders_forwarded=forwarded,
        orders_acknowledged_late=acknowledged_late,
        orders_shipped=shipped,
        orders_shipped_late=shipped_late,
        shipped_lines=len(shipped_lines),
        shipped_lines_untracked=len(shipped_lines - tracked),
        return_decisions=decisions,
        return_decisions_late=decisions_late,
        sales_to_partner_previous=previous["units"] if with_history else None,
        sales_to_partner_current=current["units"],
        sales_from_partner_previous=shop_selectors.partner_sales_of_our_goods(
            partnership=partnership, start=now - 2 * period, end=now - period
        )
        if with_history
        else None,
        sales_from_partner_current=shop_selectors.partner_sales_of_our_goods(
            partnership=partnership, start=now - period, end=now
        ),
        shoppers_previous=previous["shoppers"] if with_history else None,
        shoppers_current=current["shoppers"],
        catalog_previous=catalog["by_before"] if catalog_history else None,
        catalog_current=catalog["by_at"],
        consignment_sold=sell_through["sold"],
        consignment_on_hand=sell_through["on_hand"],
        catalog_live=catalog["live"],
        catalog_in_our_language=catalog["in_language"],
        catalog_stocked_here=catalog["local_stock"],
        # Its goods sell in our zone through our own checkout, so every local method pays for them.
        local_payment_percent=100,
        needs_installation=catalog["needs_installation"],
        installation_providers=aftersales_selectors.installation_providers(),
        units_sold=window_sales["units"],
        units_returned=min(aftersales["returned_units"], window_sales["units"]),
        reviews=aftersales["reviews"],
        rating_sum=aftersales["rating_sum"],
    )


def own_figures(*, partnership, policy, now):
    """This platform's own figures, sent to `partnership`'s partner in `partner.metrics` (at linking
    and monthly), in the receiver's terms, from our records over all our live partnerships:
    - sales to partner: units of our goods our partners sold (what the receiver may expect to sell
      of ours), last `growth_days` and the period before;
    - sales from partner: units of our partners' goods our shoppers bought (what we may sell of
      the receiver's), the same periods;
    - catalog: our products offered to partners by now and by a period ago, those on sale now, and
      those with texts in the receiver's first language.
    An earlier period our records do not cover whole (our first partnership was set up after it
    began) is left out, not counted in part: the receiver shows that growth as missing data instead
    of growth from a short period. What we cannot observe of ourselves stays None too, never zero:
    how punctually we keep agreements (the partner's own records will tell), distinct shoppers of
    its goods, stock in its warehouses, local payment and service, returns and reviews there. Four
    queries per live partnership (two without an earlier period), and four."""
    period = dt.timedelta(days=policy.growth_days)
    current, previous = (now - period, now), (now - 2 * period, now - period)
    live = Partnership.objects.filter(status__in=WATCHED_STATUSES)
    since = core_selectors.trading_since()

    def covered(start):
        return since is not None and since <= start

    def units_abroad(start, end):
        return sum(shop_selectors.partner_sales_of_our_goods(partnership=p, start=start, end=end) for p in live)

    def units_of_partner_goods(start, end):
        return sum(shop_selectors.partner_goods_sales(partnership=p, start=start, end=end)["units"] for p in live)

    languages = partnership.partner.languages or []
    catalog = catalog_selectors.offered_catalog_figures(
        language=languages[0] if languages else None, at=now, before=now - period
    )
    with_history = covered(previous[0])
    return Figures(
        sales_to_partner_previous=units_abroad(*previous) if with_history else None,
        sales_to_partner_current=units_abroad(*current),
        sales_from_partner_previous=units_of_partner_goods(*previous) if with_history else None,
        sales_from_partner_current=units_of_partner_goods(*current),
        catalog_previous=catalog["by_before"] if covered(now - period) else None,
        catalog_current=catalog["by_at"],
        catalog_live=catalog["live"],
        catalog_in_our_language=catalog["in_language"],
    )


def metrics_sent(partnership, message_type):
    """Whether we ever queued a message of this type (our `partner.metrics`) to the partner."""
    return OutboxMessage.objects.filter(partnership=partnership, message_type=message_type).exists()


# --- for pages and the ops dashboard -------------------------------------------------------------


def _since(queryset, since, column):
    return queryset.filter(**{f"{column}__gte": since}) if since else queryset


def score_history(partner=None, since=None):
    """Every score computed of current partners (oldest first): {"partner": code, "partner_name",
    "kind": "credit" | "potential" | "localization", "value": Decimal or None (missing data),
    "computed_at"}. `partner` is a code or a Partner. One query."""
    rows = PartnerScore.objects.filter(partner__isnull=False)
    if partner is not None:
        rows = rows.filter(partner__code=getattr(partner, "code", partner))
    rows = _since(rows, since, "computed_at").order_by("computed_at", "id")
    return [
        {"partner": code, "partner_name": name, "kind": kind, "value": value, "computed_at": at}
        for code, name, kind, value, at in rows.values_list(
            "partner__code", "partner__name", "kind", "value", "computed_at"
        )
    ]


def breach_rows(partner=None, since=None):
    """Breaches and warnings observed (newest first): {"partner", "partner_name", "term", "severity":
    "warning" | "breach", "observed_at", "evidence"}. One query."""
    rows = ComplianceBreach.objects.all()
    if partner is not None:
        rows = rows.filter(partnership__partner__code=getattr(partner, "code", partner))
    rows = _since(rows, since, "observed_at").order_by("-observed_at", "-id")
    return [
        {"partner": code, "partner_name": name, "term": term, "severity": severity, "observed_at": at, "evidence": ev}
        for code, name, term, severity, at, ev in rows.values_list(
            "partnership__partner__code", "partnership__partner__name", "term", "severity", "observed_at", "evidence"
        )
    ]


def latest_scores():
    """The latest score of each kind of every scored partner and prospect, side by side: a list of
    {"code", "name", "prospect": bool, "credit", "potential", "localization"} (each a PartnerScore
    or None), current partners first. Two queries."""
    table = {}
    rows = PartnerScore.objects.select_related("partner", "prospect").order_by("computed_at", "id")
    for score in rows.filter(Q(partner__isnull=False) | Q(prospect__isnull=False)):
        who = score.partner or score.prospect
        key = (score.prospect_id is not None, who.code)
        entry = table.setdefault(key, {"code": who.code, "name": who.name, "prospect": key[0]})
        entry[score.kind] = score
    prospects = Prospect.objects.exclude(code__in=[code for (is_prospect, code) in table if is_prospect])
    for prospect in prospects:
        table[(True, prospect.code)] = {"code": prospect.code, "name": prospect.name, "prospect": True}
    return [
        {**entry, **{kind: entry.get(kind) for kind in PartnerScore.Kind.values}}
        for _key, entry in sorted(table.items())
    ]


def watched_partnership(code):
    """The active or suspended partnership with the partner of this code, or None."""
    return Partnership.objects.filter(partner__code=code, status__in=WATCHED_STATUSES).select_related("partner").first()
