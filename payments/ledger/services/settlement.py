"""Nightly settlement per partnership: close the period at the agreed cut-off, net what each side owes
the other, convert once at the cut-off rate, exchange statements with the partner, reconcile line by
line, and produce one payout instruction for the net when we are the side that owes (its files are
written by payouts.py).

Periods. Both platforms must close the same period for their statements to be comparable, so the
agreed cut-off time (Partnership.settlement_cutoff) is read in UTC, the one clock both sides share;
each platform's beat fires at that instant, whatever its own time zone. A batch holds every partner
posting recorded before its cut-off that no earlier batch holds: a posting that arrives after the
cut-off, or commits after the batch was closed, goes to the next period.

Signs. Our statement's amounts are positive where the partner owes us; the partner's statement is
from its side, so a line agrees when its amount is the opposite of ours."""

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from djmoney.money import Money

from crossborder import money
from crossborder.errors import DomainError
from crossborder.models import Partnership
from crossborder.services import send_to_partner

from ... import hooks
from ...errors import SettlementErrorCode as Code
from ..amounts import MoneySum
from ..models import (
    PartnerStatementPart,
    PayoutInstruction,
    SettledPosting,
    SettlementBatch,
    SettlementDispute,
    StatementLine,
)
from . import ledger, payouts

STATEMENT = "settlement.statement"
LINES_PER_PART = 5000


# --- periods -----------------------------------------------------------------------------------


def last_cutoff(partnership, *, now=None):
    """The latest cut-off instant at or before `now`: the agreed time of day, in UTC."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    cutoff = dt.datetime.combine(now.date(), partnership.settlement_cutoff, tzinfo=dt.UTC)
    return cutoff if cutoff <= now else cutoff - dt.timedelta(days=1)


# --- closing a period ----------------------------------------------------------------------------


def _claim_postings(batch):
    """Every partner posting recorded before the cut-off and in no batch yet joins this one, and the
    statement lines are its postings summed per event, kind and currency, in SQL. Returns the number
    of postings claimed."""
    if connection.vendor == "postgresql":
        return _claim_postings_postgresql(batch)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO payments_settledposting (posting_id, batch_id)
            SELECT p.id, %s FROM payments_posting p
             WHERE p.partnership_id = %s AND p.recorded_at < %s
               AND NOT EXISTS (SELECT 1 FROM payments_settledposting s WHERE s.posting_id = p.id)
            """,
            [batch.pk, batch.partnership_id, batch.period_end],
        )
        claimed = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO payments_statementline (batch_id, event_reference, kind, currency, amount, posting_count)
            SELECT s.batch_id, p.event_reference, p.kind, p.currency, ROUND(SUM(p.amount), 4), COUNT(*)
              FROM payments_settledposting s JOIN payments_posting p ON p.id = s.posting_id
             WHERE s.batch_id = %s
             GROUP BY s.batch_id, p.event_reference, p.kind, p.currency
            HAVING ROUND(SUM(p.amount), 4) <> 0
            """,
            [batch.pk],
        )
    return claimed


def _claim_postings_postgresql(batch):
    """One statement: the unclaimed postings are read once, and both the claims and the lines are
    written from that one reading (the lines no longer join the million claims back to the
    postings they were just read from). The claim's primary key still refuses a posting in two
    batches."""
    with connection.cursor() as cursor:
        # Half a million groups hash in memory instead of sorting on disk; this transaction only.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            """
            WITH picked AS MATERIALIZED (
                SELECT p.id, p.event_reference, p.kind, p.currency, p.amount FROM payments_posting p
                 WHERE p.partnership_id = %(partnership)s AND p.recorded_at < %(end)s
                   AND NOT EXISTS (SELECT 1 FROM payments_settledposting s WHERE s.posting_id = p.id)
            ), claimed AS (
                INSERT INTO payments_settledposting (posting_id, batch_id) SELECT id, %(batch)s FROM picked
            ), lines AS (
                INSERT INTO payments_statementline
                       (batch_id, event_reference, kind, currency, amount, posting_count)
                SELECT %(batch)s, event_reference, kind, currency, ROUND(SUM(amount), 4), COUNT(*)
                  FROM picked
                 GROUP BY event_reference, kind, currency
                HAVING ROUND(SUM(amount), 4) <> 0
            )
            SELECT count(*) FROM picked
            """,
            {"partnership": batch.partnership_id, "end": batch.period_end, "batch": batch.pk},
        )
        return cursor.fetchone()[0]


def _settle_own_postings(batch, transaction_):
    SettledPosting.objects.bulk_create(
        SettledPosting(posting=p, batch=batch) for p in transaction_.postings.filter(partnership__isnull=False)
    )


def _convert(batch, totals):
    """Convert each other currency's total once, at the cut-off rate, and post the conversion so the
    partner's balance in that currency is cleared into the settlement currency."""
    target = batch.currency
    rates = money.RateBook.load({*totals, target}, at=batch.period_end)
    summary = {}
    net = Decimal(0)
    for currency, total in sorted(totals.items()):
        if currency == target:
            converted, rate = money.quantize(total, target), Decimal(1)
        else:
            try:
                rate = rates.rate(currency, target)
            except DomainError as exc:
                raise DomainError(
                    Code.NO_RATE,
                    f"No {currency}/{target} rate at the cut-off {batch.period_end:%Y-%m-%d %H:%M} UTC: enter one "
                    "and close the period again.",
                    field="rate",
                    status=409,
                ) from exc
            converted = money.quantize(total * rate, target, rounding=money.BANKERS)
            if total:
                posted = ledger.post(
                    reference=f"settlement:{batch.reference}:fx:{currency}",
                    kind="settlement_fx",
                    entries=[
                        ledger.Entry("partner_balance", Money(-total, currency), batch.partnership),
                        ledger.Entry("fx_position", Money(total, currency)),
                        ledger.Entry("partner_balance", Money(converted, target), batch.partnership),
                        ledger.Entry("fx_position", Money(-converted, target)),
                    ],
                    memo=f"settlement {batch.period_end:%Y-%m-%d}: {currency} at {rate}",
                )
                _settle_own_postings(batch, posted)
        summary[currency] = {"total": str(total), "rate": str(rate), "converted": str(converted)}
        net += converted
    return net, summary


def close_period(*, partnership, period_end=None, now=None):
    """Close one period: one transaction, so a crash leaves nothing half-settled, and idempotent:
    the same period again returns the batch already made and changes nothing."""
    now = now or timezone.now()
    period_end = period_end or last_cutoff(partnership, now=now)
    if period_end > now:
        raise DomainError(Code.PERIOD_NOT_OVER, f"The period ending {period_end:%Y-%m-%d %H:%M} UTC is not over.")
    currency = partnership.settlement_currency
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        existing = SettlementBatch.objects.filter(partnership=locked, period_end=period_end, currency=currency).first()
        if existing is not None:
            return existing
        period_start = SettlementBatch.objects.filter(partnership=locked, period_end__lt=period_end).aggregate(
            last=Max("period_end")
        )["last"]
        batch = SettlementBatch.objects.create(
            partnership=locked, period_start=period_start, period_end=period_end, currency=currency, net_amount=0
        )
        claimed = _claim_postings(batch)
        totals = dict(
            StatementLine.objects.filter(batch=batch)
            .values_list("currency")
            .annotate(total=MoneySum("amount"))
            .order_by()
        )
        net, summary = _convert(batch, totals)
        batch.net_amount = net
        batch.posting_count = claimed
        batch.currency_totals = summary
        batch.save(update_fields=["net_amount", "posting_count", "currency_totals"])
        if locked.is_live:
            _send_statement(batch)
        _reconcile_if_complete(batch)
    return batch


def close_due_periods(*, now=None):
    """The beat: every live partnership's latest passed cut-off, closed once."""
    now = now or timezone.now()
    closed = []
    for partnership in Partnership.objects.filter(status__in=Partnership.LIVE_STATUSES).select_related("partner"):
        period_end = last_cutoff(partnership, now=now)
        if not SettlementBatch.objects.filter(
            partnership=partnership, period_end=period_end, currency=partnership.settlement_currency
        ).exists():
            closed.append(close_period(partnership=partnership, period_end=period_end, now=now))
    return closed


# --- the statement, sent and received ------------------------------------------------------------


def statement_lines(batch):
    return list(
        batch.lines.order_by("event_reference", "kind", "currency").values_list(
            "event_reference", "kind", "currency", "amount", "posting_count"
        )
    )


def _statement_parts(batch):
    """The statement's lines in parts of LINES_PER_PART, as JSON-ready dicts. On PostgreSQL the
    parts are built by the database (a million postings make half a million lines)."""
    if connection.vendor != "postgresql":
        lines = [
            {"event_reference": ref, "kind": kind, "currency": currency, "amount": str(amount)}
            for ref, kind, currency, amount, _count in statement_lines(batch)
        ]
        return [lines[i : i + LINES_PER_PART] for i in range(0, len(lines), LINES_PER_PART)] or [[]]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT json_agg(json_build_object('event_reference', event_reference, 'kind', kind,
                                              'currency', currency, 'amount', amount::text) ORDER BY n)::text
              FROM (SELECT event_reference, kind, currency, amount, row_number() OVER (ORDER BY id) - 1 AS n
                      FROM payments_statementline WHERE batch_id = %s) AS numbered
             GROUP BY n / %s ORDER BY n / %s
            """,
            [batch.pk, LINES_PER_PART, LINES_PER_PART],
        )
        return [json.loads(text) for (text,) in cursor.fetchall()] or [[]]


def _send_statement(batch):
    parts = _statement_parts(batch)
    for number, lines in enumerate(parts, start=1):
        send_to_partner(
            batch.partnership,
            STATEMENT,
            {
                "batch_reference": str(batch.reference),
                "period_start": batch.period_start.isoformat() if batch.period_start else None,
                "period_end": batch.period_end.isoformat(),
                "currency": batch.currency,
                "net_amount": str(batch.net_amount),
                "currency_totals": batch.currency_totals,
                "part": number,
                "parts": len(parts),
                "lines": lines,
            },
        )


def _checked_lines(lines):
    clean = []
    for index, line in enumerate(lines):
        field = f"lines[{index}]"
        if not isinstance(line, dict) or not line.get("event_reference") or not line.get("currency"):
            raise DomainError(
                Code.INVALID_STATEMENT, f"{field} needs an event_reference, a currency and an amount.", field=field
            )
        currency = str(line["currency"]).upper()
        amount = money.parse_amount(line.get("amount"), currency, field=f"{field}.amount")
        clean.append(
            {
                "event_reference": str(line["event_reference"])[:160],
                "kind": str(line.get("kind", ""))[:40],
                "currency": currency,
                "amount": str(amount),
            }
        )
    return clean


def receive_statement_part(*, partnership, payload):
    """Record one part of the partner's statement; when it is complete and our own batch of the
    same period exists, reconcile. A replayed part is harmless; a different one for the same part
    is refused."""
    lines = _checked_lines(payload["lines"])
    if payload["currency"] != partnership.settlement_currency:
        raise DomainError(
            Code.INVALID_STATEMENT,
            f"The statement is in {payload['currency']}; the agreement settles in {partnership.settlement_currency}.",
            field="currency",
        )
    net = money.parse_amount(payload["net_amount"], payload["currency"], field="net_amount")
    with transaction.atomic():
        Partnership.objects.select_for_update().get(pk=partnership.pk)
        part, created = PartnerStatementPart.objects.get_or_create(
            partnership=partnership,
            period_end=payload["period_end"],
            currency=payload["currency"],
            part=payload["part"],
            defaults={
                "parts": payload["parts"],
                "batch_reference": payload["batch_reference"],
                "net_amount": net,
                "lines": lines,
            },
        )
        if not created and (part.lines != lines or part.net_amount != net or part.parts != payload["parts"]):
            raise DomainError(
                Code.STATEMENT_CONFLICT,
                f"Part {part.part} of the statement for {part.period_end:%Y-%m-%d %H:%M} UTC was already received "
                "with other lines.",
                status=409,
            )
        batch = SettlementBatch.objects.filter(
            partnership=partnership, period_end=payload["period_end"], currency=payload["currency"]
        ).first()
        if batch is not None:
            _reconcile_if_complete(batch)
    return part, batch


# --- reconciliation ------------------------------------------------------------------------------


def _partner_parts(batch):
    """The partner's statement when every part has arrived (counted first: the lines are read once)."""
    received = PartnerStatementPart.objects.filter(
        partnership=batch.partnership, period_end=batch.period_end, currency=batch.currency
    )
    counts = list(received.values_list("parts", flat=True)[:1])
    if not counts or received.count() != counts[0]:
        return None
    return list(received.order_by("part"))


def compare(ours, theirs):
    """Lines that differ, by (event, currency): ours as we sum them, theirs turned to our side.
    Returns (event_reference, currency, our amount or None, their amount or None, kinds)."""
    keys = sorted(set(ours) | set(theirs))
    return [
        (ref, currency, ours.get((ref, currency)), theirs.get((ref, currency)))
        for ref, currency in keys
        if ours.get((ref, currency), Decimal(0)) != -theirs.get((ref, currency), Decimal(0))
    ]


def _reconcile_if_complete(batch):
    if batch.status != SettlementBatch.Status.OPEN:
        return batch
    parts = _partner_parts(batch)
    if parts is None:
        return batch
    ours = defaultdict(Decimal)
    kinds = defaultdict(set)
    for ref, kind, currency, amount, _count in statement_lines(batch):
        ours[(ref, currency)] += amount
        kinds[(ref, currency)].add(kind)
    theirs = defaultdict(Decimal)
    for part in parts:
        for line in part.lines:
            key = (line["event_reference"], line["currency"])
            theirs[key] += Decimal(line["amount"])
            kinds[key].add(line.get("kind", ""))
    differences = compare(ours, theirs)
    SettlementDispute.objects.bulk_create(
        SettlementDispute(
            batch=batch,
            event_reference=ref,
            kind=", ".join(sorted(k for k in kinds[(ref, currency)] if k))[:40],
            currency=currency,
            our_amount=our,
            partner_amount=None if their is None else -their,
        )
        for ref, currency, our, their in differences
    )
    batch.partner_net_amount = parts[0].net_amount
    batch.status = SettlementBatch.Status.DISPUTED if differences else SettlementBatch.Status.RECONCILED
    batch.reconciled_at = None if differences else timezone.now()
    batch.save(update_fields=["status", "reconciled_at", "partner_net_amount"])
    if not differences:
        hooks.settlement_reconciled.fire(batch=batch)  # merchants are credited their goods sold abroad
    if not differences and batch.net_amount < 0:
        _payout(batch)
    return batch


@transaction.atomic
def reconcile_batch(*, batch):
    """Try again (the admin's action): reconciles when the partner's statement is complete."""
    batch = SettlementBatch.objects.select_for_update().select_related("partnership__partner").get(pk=batch.pk)
    return _reconcile_if_complete(batch)


# --- payout ------------------------------------------------------------------------------------


def _payout(batch):
    created_at = timezone.now()
    amount = -batch.net_amount
    amount = money.quantize(amount, batch.currency)
    message_id = f"STL-{batch.period_end:%Y%m%d}-{batch.reference.hex[:20]}"
    return PayoutInstruction.objects.get_or_create(
        batch=batch,
        defaults={
            "message_id": message_id,
            "amount": amount,
            "currency": batch.currency,
            "pain001": payouts.pain001(batch, message_id=message_id, amount=amount, created_at=created_at),
            "statement_csv": payouts.statement_csv(batch, statement_lines(batch)),
            "created_at": created_at,
        },
    )[0]


@transaction.atomic
def mark_paid(*, batch, actor=None):
    """The net moved between the banks: clear the partner's balance for this batch in the ledger."""
    batch = SettlementBatch.objects.select_for_update().select_related("partnership").get(pk=batch.pk)
    if batch.status != SettlementBatch.Status.RECONCILED:
        raise DomainError(Code.INVALID_STATE, "Only a reconciled batch can be paid.", status=409)
    if batch.net_amount:
        net = Money(batch.net_amount, batch.currency)
        posted = ledger.post(
            reference=f"settlement:{batch.reference}:payment",
            kind="settlement_payment",
            entries=[ledger.Entry("bank", net), ledger.Entry("partner_balance", -net, batch.partnership)],
            memo=f"settlement {batch.period_end:%Y-%m-%d}",
            actor=actor,
        )
        _settle_own_postings(batch, posted)
    batch.status = SettlementBatch.Status.PAID
    batch.paid_at = timezone.now()
    batch.save(update_fields=["status", "paid_at"])
    return batch
