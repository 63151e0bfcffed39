"""Reads of merchant money for pages, the admin and exports: a merchant's statement of a period
(opening balance, every line, closing balance), and the reconciliation of a settlement batch with
the merchant credits it produced. Amounts are from the merchant's side: positive, we owe it."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from catalog.models import Merchant

from ..ledger.amounts import MoneySum
from ..ledger.models import Posting, SettlementBatch
from .services import (
    COMMISSION,
    FEE,
    PAYABLES,
    PAYOUT,
    REFUND,
    REFUND_ABROAD,
    SALE,
    SALE_ABROAD,
    _merchants_of_lines,
    party,
)

LINE_KINDS = {
    SALE: "sale",
    SALE_ABROAD: "sale abroad",
    COMMISSION: "commission",
    FEE: "fee",
    REFUND: "refund",
    REFUND_ABROAD: "refund abroad",
    PAYOUT: "payout",
}


@dataclass(frozen=True)
class StatementLine:
    recorded_at: object
    kind: str  # one of LINE_KINDS' values
    event_reference: str
    memo: str
    amount: Decimal  # positive: credited to the merchant
    balance: Decimal  # after this line


@dataclass
class Statement:
    merchant: object
    currency: str
    start: object
    end: object
    opening: Decimal
    lines: list = field(default_factory=list)

    @property
    def last_day(self):
        """The period's last day (its end is the first instant after it)."""
        return self.end - dt.timedelta(microseconds=1)

    @property
    def closing(self):
        return self.lines[-1].balance if self.lines else self.opening

    def total(self, kind):
        return sum((line.amount for line in self.lines if line.kind == kind), Decimal(0))


def _payables(merchant):
    return Posting.objects.filter(account__code=PAYABLES, counterparty=party(merchant.pk))


def currencies(merchant):
    return list(_payables(merchant).values_list("currency", flat=True).distinct().order_by("currency"))


def statement(*, merchant, currency, start, end):
    """Every posting to the merchant's balance in [start, end), with the balance before and after.
    Two queries."""
    postings = _payables(merchant).filter(currency=currency)
    opening = -(postings.filter(recorded_at__lt=start).aggregate(total=MoneySum("amount"))["total"] or Decimal(0))
    found = Statement(merchant=merchant, currency=currency, start=start, end=end, opening=opening)
    balance = opening
    rows = (
        postings.filter(recorded_at__gte=start, recorded_at__lt=end)
        .order_by("recorded_at", "id")
        .values_list("recorded_at", "kind", "event_reference", "transaction__memo", "amount")
    )
    for recorded_at, kind, event, memo, amount in rows:
        balance -= amount
        found.lines.append(StatementLine(recorded_at, LINE_KINDS.get(kind, kind), event, memo, -amount, balance))
    return found


@dataclass(frozen=True)
class MerchantCredit:
    merchant: object
    currency: str
    received: Decimal  # what the partner owes us for the merchant's goods in this batch
    credited: Decimal  # the sales credited to the merchant from it
    commission: Decimal  # our commission off them

    @property
    def difference(self):
        return self.received - self.credited


def batch_reconciliation(batch):
    """Per merchant and currency: what the batch's partner statement holds for our merchants' goods
    sold abroad, what was credited to the merchants from it, and the difference (zero when every
    line reached its merchant). A fixed number of queries."""
    lines = list(
        batch.lines.filter(kind="goods_sold_abroad", amount__gt=0).values_list("event_reference", "currency", "amount")
    )
    owners = _merchants_of_lines([ref for ref, _c, _a in lines])
    received = defaultdict(Decimal)
    for ref, currency, amount in lines:
        if ref in owners:
            received[(owners[ref], currency)] += amount
    credited = defaultdict(Decimal)
    commission = defaultdict(Decimal)
    rows = (
        # The sales' credits and their own commissions (a later return's commission back is not this batch's).
        Posting.objects.filter(account__code=PAYABLES, event_reference__in=list(owners))
        .filter(
            Q(kind=SALE_ABROAD)
            | Q(kind=COMMISSION, transaction__reference__in=[f"{COMMISSION}:{ref}" for ref in owners])
        )
        .values_list("counterparty", "currency", "kind")
        .annotate(total=Sum("amount"))
    )
    for tag, currency, kind, total in rows:
        key = (int(tag.split(":", 1)[1]), currency)
        (credited if kind == SALE_ABROAD else commission)[key] -= total
    merchants = Merchant.objects.in_bulk({merchant_id for merchant_id, _c in {*received, *credited}})
    return [
        MerchantCredit(
            merchants[key[0]],
            key[1],
            received.get(key, Decimal(0)),
            credited.get(key, Decimal(0)),
            -commission.get(key, Decimal(0)),
        )
        for key in sorted({*received, *credited})
    ]


def reconciled_batches():
    return SettlementBatch.objects.filter(
        status__in=[SettlementBatch.Status.RECONCILED, SettlementBatch.Status.PAID]
    ).select_related("partnership__partner")
