"""Aged consignment stock and warehouse storage fees.

The importer ages the exporter's goods first-in first-out from their lots, proposes what to do
with units past the partnership's thresholds (markdown, return, liquidation), and carries out
what the exporter agreed; proposals and decisions travel through the partner API. Storage fees
accrue per stock level and day from the partnership's fee schedule. Which side a row belongs to:
an AgedStockAction with a stock level is goods held here (we are the importer); without one it is
our goods abroad (we are the exporter)."""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder import money
from crossborder.models import Partnership
from crossborder.services import send_to_partner
from crossborder.terms import TermsError, parse_whole_percent

from .. import hooks
from ..errors import LogisticsErrorCode
from ..models import AGE_BUCKETS, AgedStockAction, StockLevel, StockLot, StockMovement, StorageFeeAccrual
from . import LogisticsError, partnership_not_live, stock

log = logging.getLogger(__name__)

Action = AgedStockAction.Action
Status = AgedStockAction.Status

PROPOSAL = "aged_stock.proposal"
DECISION = "aged_stock.decision"
CARRIED_OUT = "aged_stock.carried_out"

OPEN_STATUSES = (Status.PROPOSED, Status.AGREED)
# Units older than this are proposed for liquidation unless the partnership names a third threshold.
LIQUIDATE_AFTER_DAYS = 365
TIERS = (Action.MARKDOWN, Action.RETURN, Action.LIQUIDATE)  # first, second, third threshold
# A proposal message carries at most this many actions; a bigger review sends several messages.
PROPOSALS_PER_MESSAGE = 1000


def bucket_label(low, high):
    return f"{low}-{high}" if high is not None else f"{low}+"


BUCKET_LABELS = tuple(bucket_label(low, high) for low, high in AGE_BUCKETS)


def _bucket_of(age_days):
    for (low, high), label in zip(AGE_BUCKETS, BUCKET_LABELS, strict=True):
        if age_days >= low and (high is None or age_days <= high):
            return label
    return BUCKET_LABELS[0]  # a lot dated in the future counts as new


def _empty_buckets():
    return dict.fromkeys(BUCKET_LABELS, 0)


# --- the partnership's terms ---------------------------------------------------------------------


def _term(partnership, read):
    """`read(terms)` of the partnership's agreement; a bad stored value is refused naming its key."""
    try:
        return read(partnership.terms)
    except TermsError as exc:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("The terms of the partnership with %(partner)s: %(problem)s")
            % {"partner": partnership.partner.code, "problem": exc.detail},
            field=exc.key,
        ) from exc


def aged_thresholds(partnership):
    """The agreed age thresholds in days, ascending (Terms.aged_threshold_days, or the platform's
    LOGISTICS["AGED_THRESHOLDS_DAYS"])."""
    return list(_term(partnership, lambda terms: terms.aged_thresholds()))


def aged_tiers(partnership):
    """[(threshold_days, action)] ascending: first threshold markdown, second return, third (or
    over 365 days) liquidation."""
    thresholds = aged_thresholds(partnership)[: len(TIERS)]
    tiers = list(zip(thresholds, TIERS, strict=False))
    if len(tiers) < len(TIERS) and thresholds[-1] < LIQUIDATE_AFTER_DAYS:
        tiers.append((LIQUIDATE_AFTER_DAYS, Action.LIQUIDATE))
    return tiers


def _check_percent(value, *, field="markdown_percent"):
    try:
        return parse_whole_percent(value)
    except ValueError:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("A markdown is a whole percent from 1 to 99, not %(value)r.") % {"value": value},
            field=field,
        ) from None


def default_markdown_percent(partnership):
    return _term(partnership, lambda terms: terms.aged_markdown_percent)


# --- ages ----------------------------------------------------------------------------------------


def _age_lots(lots, now, thresholds):
    """Buckets, oldest age and units over each threshold from (received_at, remaining) pairs."""
    buckets = _empty_buckets()
    over = dict.fromkeys(thresholds, 0)
    oldest = None
    for received_at, remaining in lots:
        age = stock.age_in_days(received_at, now)
        buckets[_bucket_of(age)] += remaining
        oldest = age if oldest is None else max(oldest, age)
        for threshold in thresholds:
            if age > threshold:
                over[threshold] += remaining
    return buckets, oldest, over


def age_buckets(level, *, now=None):
    """Units of one stock level per age bucket, first-in first-out from its lots (one query)."""
    now = now or timezone.now()
    lots = StockLot.objects.filter(stock=level, remaining__gt=0).values_list("received_at", "remaining")
    return _age_lots(lots, now, ())[0]


def aged_units(*, partnership, now=None):
    """Per consignment stock level of the partner held here: its units per age bucket, the oldest
    unit's age and the units older than each threshold, first-in first-out from the lots. One
    query whatever the number of SKUs. Levels without units in lots are left out."""
    now = now or timezone.now()
    thresholds = [days for days, _action in aged_tiers(partnership)]
    lots = (
        StockLot.objects.filter(stock__owner_id=partnership.partner_id, remaining__gt=0)
        .order_by("stock_id", "received_at", "id")
        .values_list(
            "stock_id",
            "received_at",
            "remaining",
            "stock__sku",
            "stock__warehouse__code",
            "stock__on_hand",
            "stock__reserved",
        )
    )
    per_level = {}
    grouped = defaultdict(list)
    for stock_id, received_at, remaining, sku, warehouse, on_hand, reserved in lots.iterator(chunk_size=5000):
        grouped[stock_id].append((received_at, remaining))
        per_level.setdefault(stock_id, (sku, warehouse, on_hand, reserved))
    rows = []
    for stock_id, (sku, warehouse, on_hand, reserved) in per_level.items():
        buckets, oldest, over = _age_lots(grouped[stock_id], now, thresholds)
        rows.append(
            {
                "stock": stock_id,
                "sku": sku,
                "warehouse": warehouse,
                "on_hand": on_hand,
                "reserved": reserved,
                "sellable": on_hand - reserved,
                "units": sum(buckets.values()),
                "oldest_age_days": oldest,
                "buckets": buckets,
                "over_threshold": over,
            }
        )
    rows.sort(key=lambda row: (row["sku"], row["warehouse"]))
    return rows


# --- the importer proposes -----------------------------------------------------------------------


def _require_live(partnership):
    if not partnership.is_live:
        raise partnership_not_live(partnership, _("aged stock is agreed only with a live one."))


def _lock_partnership(partnership):
    """Serialise the operations of one partnership (two reviews at once propose once)."""
    return Partnership.objects.select_for_update().select_related("partner").get(pk=partnership.pk)


def _proposal_payload(action):
    return {
        "reference": str(action.reference),
        "sku": action.sku,
        "quantity": action.quantity,
        "oldest_age_days": action.oldest_age_days,
        "threshold_days": action.threshold_days,
        "action": action.action,
        "markdown_percent": action.markdown_percent,
    }


def _send_proposals(partnership, actions):
    for start in range(0, len(actions), PROPOSALS_PER_MESSAGE):
        chunk = actions[start : start + PROPOSALS_PER_MESSAGE]
        send_to_partner(partnership, PROPOSAL, {"actions": [_proposal_payload(a) for a in chunk]})


def _already_handled(last, tier_rank, quantity, *, today):
    """Whether the level's latest action already covers what a new proposal would say: one a day,
    and after a rejection or a markdown the same units are asked about again only when they reach
    a higher tier or more units crossed it. A return or liquidation took its units away, so units
    still aged are new ones."""
    if last is None:
        return False
    if timezone.localdate(last.created_at) == today:
        return True
    if last.status == Status.REJECTED or (last.status == Status.DONE and last.action == Action.MARKDOWN):
        last_rank = TIERS.index(last.action) if last.status == Status.REJECTED else 0
        return tier_rank <= last_rank and quantity <= last.quantity
    return False


@transaction.atomic
def review_aged_stock(*, partnership, now=None):
    """Propose an action for each consignment stock level of the partner with units past the first
    threshold: the highest tier its units reached (markdown, return, liquidation), for the units
    past it. A level with an open (proposed or agreed) action gets none; a second review the same
    day proposes nothing new. The proposals go to the exporter in the same transaction. Returns
    the new actions."""
    now = now or timezone.now()
    partnership = _lock_partnership(partnership)
    _require_live(partnership)
    tiers = aged_tiers(partnership)
    percent = default_markdown_percent(partnership)
    aged = [row for row in aged_units(partnership=partnership, now=now) if row["over_threshold"][tiers[0][0]]]
    if not aged:
        return []
    open_levels = set()
    latest = {}
    # All of the partnership's actions on goods held here (not an IN list of levels: it may be long).
    for action in AgedStockAction.objects.filter(partnership=partnership, stock__isnull=False).order_by(
        "created_at", "id"
    ):
        latest[action.stock_id] = action
        if action.status in OPEN_STATUSES:
            open_levels.add(action.stock_id)
    today = timezone.localdate(now)
    proposed = []
    for row in aged:
        if row["stock"] in open_levels:
            continue
        rank, (threshold, kind) = max((i, tier) for i, tier in enumerate(tiers) if row["over_threshold"][tier[0]])
        quantity = row["over_threshold"][threshold]
        if _already_handled(latest.get(row["stock"]), rank, quantity, today=today):
            continue
        proposed.append(
            AgedStockAction(
                partnership=partnership,
                stock_id=row["stock"],
                sku=row["sku"],
                quantity=quantity,
                oldest_age_days=row["oldest_age_days"],
                threshold_days=threshold,
                action=kind,
                markdown_percent=percent if kind == Action.MARKDOWN else None,
            )
        )
    if not proposed:
        return []
    AgedStockAction.objects.bulk_create(proposed, batch_size=1000)
    _send_proposals(partnership, proposed)
    return proposed


@transaction.atomic
def propose_aged_action(*, partnership, level, action, markdown_percent=None, now=None):
    """Ops' own proposal for one consignment stock level (e.g. after the exporter rejected the
    review's): `action` for the units past its tier's threshold, or past the first threshold when
    none reached it. Refused while the level has an open action or no aged units."""
    now = now or timezone.now()
    partnership = _lock_partnership(partnership)
    _require_live(partnership)
    action = _check_action(action)
    if level.owner_id != partnership.partner_id:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("%(sku)s is not consignment stock of %(partner)s.")
            % {"sku": level.sku, "partner": partnership.partner.code},
            field="stock",
        )
    if AgedStockAction.objects.filter(partnership=partnership, stock=level, status__in=OPEN_STATUSES).exists():
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("%(sku)s already has an open aged-stock action; wait for its decision.") % {"sku": level.sku},
            field="stock",
            status=409,
        )
    tiers = aged_tiers(partnership)
    lots = StockLot.objects.filter(stock=level, remaining__gt=0).values_list("received_at", "remaining")
    _buckets, oldest, over = _age_lots(list(lots), now, [days for days, _kind in tiers])
    first = tiers[0][0]
    if not over[first]:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("No units of %(sku)s are older than %(days)d days.") % {"sku": level.sku, "days": first},
            field="stock",
        )
    threshold = next((days for days, kind in tiers if kind == action and over[days]), first)
    if action == Action.MARKDOWN:
        percent = (
            default_markdown_percent(partnership) if markdown_percent is None else _check_percent(markdown_percent)
        )
    else:
        percent = None
    proposal = AgedStockAction.objects.create(
        partnership=partnership,
        stock=level,
        sku=level.sku,
        quantity=over[threshold],
        oldest_age_days=oldest,
        threshold_days=threshold,
        action=action,
        markdown_percent=percent,
    )
    _send_proposals(partnership, [proposal])
    return proposal


# --- the exporter decides ------------------------------------------------------------------------


def _check_action(value):
    if value not in Action.values:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("The action must be one of %(choices)s, not %(value)r.")
            % {"choices": ", ".join(Action.values), "value": value},
            field="action",
        )
    return Action(value)


@transaction.atomic
def record_aged_proposals(*, partnership, payload):
    """The exporter stores the importer's proposals about its goods abroad (no stock level here),
    under the importer's references. A repeat changes nothing. Returns the rows, new or not."""
    rows = []
    for item in payload["actions"]:
        action = _check_action(item["action"])
        row, _created = AgedStockAction.objects.get_or_create(
            partnership=partnership,
            reference=item["reference"],
            defaults={
                "stock": None,
                "sku": item["sku"],
                "quantity": item["quantity"],
                "oldest_age_days": item["oldest_age_days"],
                "threshold_days": item["threshold_days"],
                "action": action,
                "markdown_percent": item.get("markdown_percent"),
            },
        )
        rows.append(row)
    return rows


def _unknown(reference, side):
    return LogisticsError(
        LogisticsErrorCode.INVALID,
        _("No aged-stock action %(reference)s of %(side)s.") % {"reference": reference, "side": side},
        field="reference",
        status=404,
    )


def _locked_action(partnership, reference, *, held_here):
    try:
        found = (
            AgedStockAction.objects.select_for_update()
            .filter(partnership=partnership, reference=reference, stock__isnull=not held_here)
            .first()
        )
    except ValidationError:  # not a UUID: no such action either
        found = None
    if found is None:
        raise _unknown(reference, _("goods held here") if held_here else _("our goods abroad"))
    return found


def _same_decision(row, status, action, percent):
    return (
        row.status == status and row.action == action and (action != Action.MARKDOWN or row.markdown_percent == percent)
    )


def _conflict(row, decision):
    return LogisticsError(
        LogisticsErrorCode.INVALID,
        _("Aged-stock action %(reference)s is already %(status)s (%(action)s); %(decision)s cannot replace it.")
        % {
            "reference": row.reference,
            "status": row.get_status_display(),
            "action": row.get_action_display(),
            "decision": decision,
        },
        field="decision",
        status=409,
    )


@transaction.atomic
def decide_aged_action(*, partnership, reference, accept, action=None, markdown_percent=None, now=None):
    """The exporter agrees to (possibly choosing another action) or rejects a proposal about its
    goods abroad, and tells the importer. Repeating the same decision changes nothing; a different
    decision on a decided action is refused (409)."""
    now = now or timezone.now()
    _require_live(partnership)
    row = _locked_action(partnership, reference, held_here=False)
    status = Status.AGREED if accept else Status.REJECTED
    chosen = _check_action(action) if action else Action(row.action)
    percent = _decided_percent(partnership, row, chosen, markdown_percent)
    if not _record_decision(row, status=status, chosen=chosen, percent=percent, now=now):
        return row
    send_to_partner(
        partnership,
        DECISION,
        {
            "reference": str(row.reference),
            "decision": "agreed" if accept else "rejected",
            "action": row.action,
            "markdown_percent": row.markdown_percent,
        },
    )
    return row


@transaction.atomic
def record_aged_decision(*, partnership, payload, now=None):
    """The importer records the exporter's decision on one of its proposals. Unknown reference:
    404. The same decision again changes nothing; a different one on a decided action: 409."""
    now = now or timezone.now()
    row = _locked_action(partnership, payload["reference"], held_here=True)
    status = Status.AGREED if payload["decision"] == "agreed" else Status.REJECTED
    chosen = _check_action(payload.get("action") or row.action)
    percent = _decided_percent(partnership, row, chosen, payload.get("markdown_percent"))
    _record_decision(row, status=status, chosen=chosen, percent=percent, now=now)
    return row


def _decided_percent(partnership, row, chosen, given):
    """A markdown's percent: the one given, else the proposal's, else the agreement's default."""
    if chosen != Action.MARKDOWN:
        return None
    if given is not None:
        return _check_percent(given)
    return row.markdown_percent or default_markdown_percent(partnership)


def _record_decision(row, *, status, chosen, percent, now):
    """A decision on a locked proposal, on both sides alike. False when it changes nothing (the
    same decision again, or an agreement to an action already carried out); a different decision
    on a decided action is refused (409)."""
    if row.status != Status.PROPOSED:
        already_done = row.status == Status.DONE and status == Status.AGREED
        if _same_decision(row, status, chosen, percent) or (already_done and row.action == chosen):
            return False
        raise _conflict(row, status.label)
    row.status, row.action, row.markdown_percent, row.decided_at = status, chosen, percent, now
    row.save(update_fields=["status", "action", "markdown_percent", "decided_at"])
    return True


# --- the importer carries out --------------------------------------------------------------------


@dataclass(frozen=True)
class CarriedOut:
    """What carrying out an agreed action did: `quantity` of the `agreed` units (fewer when some
    were reserved meanwhile)."""

    action: AgedStockAction
    quantity: int
    agreed: int

    @property
    def message(self):
        if self.action.action == Action.MARKDOWN:
            return _("%(sku)s is priced %(percent)d%% lower in the partner zone for %(units)d units.") % {
                "sku": self.action.sku,
                "percent": self.action.markdown_percent,
                "units": self.quantity,
            }
        if self.quantity < self.agreed:
            return _("%(done)d of %(agreed)d units of %(sku)s carried out; the others are reserved for orders.") % {
                "done": self.quantity,
                "agreed": self.agreed,
                "sku": self.action.sku,
            }
        return _("%(done)d units of %(sku)s carried out.") % {"done": self.quantity, "sku": self.action.sku}


def _stock_reference(action):
    return f"aged:{action.reference}"


@transaction.atomic
def carry_out(action, *, now=None, actor=""):
    """Carry out an agreed action on goods held here: a markdown lowers the listing's price in the
    partner zone (hook aged_stock_markdown, in this transaction: the action is DONE and the partner
    told only once the price changed; without a subscriber it is refused); a return sends the units back (they leave with the next reverse
    consignment); a liquidation writes them off. Never takes reserved units: when fewer are
    sellable it does what it can and says how many. Carrying out twice changes nothing."""
    now = now or timezone.now()
    row = AgedStockAction.objects.select_for_update().select_related("partnership__partner").get(pk=action.pk)
    if row.stock_id is None:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("Aged-stock action %(reference)s is about our goods abroad; the partner holding them carries it out.")
            % {"reference": row.reference},
            field="reference",
            status=409,
        )
    if row.status == Status.DONE:
        return CarriedOut(row, _done_quantity(row), row.quantity)
    if row.status != Status.AGREED:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("Aged-stock action %(reference)s is %(status)s; only an agreed action is carried out.")
            % {"reference": row.reference, "status": row.get_status_display()},
            field="status",
            status=409,
        )
    level = StockLevel.objects.select_for_update().get(pk=row.stock_id)
    done = row.quantity
    if row.action == Action.MARKDOWN:
        if not hooks.aged_stock_markdown.subscribers:
            raise LogisticsError(
                LogisticsErrorCode.NOT_WIRED,
                _("No partner zone is installed to lower the price of %(sku)s; the markdown is not carried out.")
                % {"sku": row.sku},
                field="action",
                status=503,
            )
        hooks.aged_stock_markdown.fire(action=row)
    else:
        done = min(row.quantity, level.sellable)
        if done <= 0:
            raise LogisticsError(
                LogisticsErrorCode.INSUFFICIENT_STOCK,
                _("None of %(sku)s can be taken now: on hand %(on_hand)d, all reserved for orders.")
                % {"sku": level.sku, "on_hand": level.on_hand},
                field="quantity",
                status=409,
            )
        if row.action == Action.RETURN:
            stock.send_back(level, done, reference=_stock_reference(row), actor=actor)
        else:
            stock.write_off(
                level, done, reason="liquidation of aged stock", reference=_stock_reference(row), actor=actor
            )
        partnership, skus = row.partnership, [row.sku]
        transaction.on_commit(lambda: hooks.consignment_stock_changed.fire(partnership=partnership, skus=skus))
    row.status = Status.DONE
    row.decided_at = row.decided_at or now
    row.save(update_fields=["status", "decided_at"])
    if row.partnership.is_live:
        send_to_partner(
            row.partnership,
            CARRIED_OUT,
            {"reference": str(row.reference), "action": row.action, "quantity": done},
        )
    return CarriedOut(row, done, row.quantity)


def _done_quantity(row):
    if row.action == Action.MARKDOWN:
        return row.quantity
    moved = row.stock.movements.filter(reference=_stock_reference(row)).values_list("on_hand_delta", flat=True)
    return -sum(moved)


def pending_returns(*, partnership):
    """Units sent back after an agreed return that wait for the next reverse consignment: the
    SENT_BACK movements of aged-stock returns, with their action's reference."""
    return (
        StockMovement.objects.filter(
            kind=StockMovement.Kind.SENT_BACK, stock__owner_id=partnership.partner_id, reference__startswith="aged:"
        )
        .select_related("stock")
        .order_by("created_at", "id")
    )


@transaction.atomic
def record_aged_carried_out(*, partnership, payload):
    """The exporter learns that the importer carried out an agreed action on its goods abroad."""
    row = _locked_action(partnership, payload["reference"], held_here=False)
    if row.status != Status.DONE:
        row.status = Status.DONE
        row.save(update_fields=["status"])
    return row


# --- storage fees --------------------------------------------------------------------------------


def _storage_terms(partnership):
    """(rate, currency) of the agreement's storage fee, or None when the partnership charges no
    storage or its stored fee is bad (logged for ops: the other partnerships still accrue)."""
    try:
        return partnership.terms.storage_fee()
    except TermsError as exc:
        log.error("partnership %s: %s; no storage accrued", partnership.pk, exc.detail)
        return None


@transaction.atomic
def accrue_storage_fees(*, day=None):
    """Accrue one day's warehouse storage fee per consignment stock level with units on hand, for
    every live partnership whose fee schedule has "warehouse_storage_per_unit_day": rate x
    unit-days (the units on hand when the accrual runs), rounded half up to 0.01, in the
    partnership's settlement currency or Terms.warehouse_storage_currency. Each (level,
    day) accrues once; the fee_accrued hook books each new accrual after commit. A fixed number of
    queries whatever the number of levels (inserts in batches). Default day: yesterday."""
    today = timezone.localdate()
    day = day or today - dt.timedelta(days=1)
    if day > today:
        raise LogisticsError(
            LogisticsErrorCode.INVALID,
            _("Storage fees accrue for days that have begun, not %(day)s.") % {"day": day.isoformat()},
            field="day",
        )
    terms = {}
    for partnership in Partnership.objects.filter(status__in=Partnership.LIVE_STATUSES).select_related("partner"):
        found = _storage_terms(partnership)
        if found is not None:
            terms[partnership.partner_id] = (partnership, *found)
    if not terms:
        return []
    # Lock only the partnerships that charge storage (primary-key order): two runs at once accrue
    # once, and the references read below are exact.
    charged = [p.pk for p, *_rest in terms.values()]
    list(Partnership.objects.select_for_update().filter(pk__in=charged).order_by("pk").values_list("pk", flat=True))
    existing = set(
        StorageFeeAccrual.objects.filter(day=day, partnership_id__in=charged).values_list("reference", flat=True)
    )
    new = []
    levels = (
        StockLevel.objects.filter(owner_id__in=terms, on_hand__gt=0)
        .order_by("pk")
        .values_list("pk", "owner_id", "on_hand")
    )
    for level_id, owner_id, on_hand in levels.iterator(chunk_size=5000):
        reference = f"storage:{level_id}:{day.isoformat()}"
        if reference in existing:
            continue
        partnership, rate, currency = terms[owner_id]
        new.append(
            StorageFeeAccrual(
                partnership=partnership,
                stock_id=level_id,
                day=day,
                unit_days=on_hand,
                rate=Money(rate, currency),
                amount=money.money(rate * on_hand, currency),
                reference=reference,
            )
        )
    if not new:
        return []
    StorageFeeAccrual.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    references = {accrual.reference for accrual in new}
    partnerships = {p.pk: p for p, *_rest in terms.values()}
    accrued = []
    for accrual in StorageFeeAccrual.objects.filter(day=day, partnership_id__in=charged).order_by("stock_id"):
        if accrual.reference in references:
            accrual.partnership = partnerships[accrual.partnership_id]
            accrued.append(accrual)
    for accrual in accrued:  # after commit; one failing booking is logged and stops no other
        hooks.fee_accrued.fire(accrual=accrual)
    return accrued
