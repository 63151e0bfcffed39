"""Reads of the ledger for other apps: a partnership's settlement record (when each period closed
and when the partner's statement of it arrived) and its disputes, for the partners app; settlement
batches and their disputes summed per partner for ops, one query each whatever the number of partners
or batches."""

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce

from .models import AMOUNT, PartnerStatementPart, SettlementBatch, SettlementDispute


def settlement_record(*, partnership, since):
    """Each of our batches of the partnership whose period ended at or after `since`: period end,
    status and when the partner's first statement part of that period arrived (None: not yet).
    One query."""
    first_part = (
        PartnerStatementPart.objects.filter(
            partnership=OuterRef("partnership"), period_end=OuterRef("period_end"), currency=OuterRef("currency")
        )
        .values("partnership")
        .annotate(first=Min("received_at"))
        .values("first")
    )
    rows = (
        SettlementBatch.objects.filter(partnership=partnership, period_end__gte=since)
        .annotate(statement_at=Subquery(first_part))
        .order_by("period_end")
        .values("reference", "period_end", "status", "statement_at")
    )
    return [{**row, "reference": str(row["reference"])} for row in rows]


def dispute_record(*, partnership, since):
    """The partnership's settlement disputes opened at or after `since`: when each was opened and
    resolved. One query."""
    return list(
        SettlementDispute.objects.filter(batch__partnership=partnership, created_at__gte=since)
        .order_by("created_at", "id")
        .values("id", "event_reference", "status", "created_at", "resolved_at")
    )


def settlement_totals(*, since, partner_code=None):
    """Settlement batches whose period ended since `since`, per partner, currency and status: how
    many and their net amount (positive: the partner owes us).
    [{partner, partner_name, currency, status, batches, net}]"""
    batches = SettlementBatch.objects.filter(period_end__gte=since)
    if partner_code:
        batches = batches.filter(partnership__partner__code=partner_code)
    rows = (
        batches.values("partnership__partner__code", "partnership__partner__name", "currency", "status")
        .annotate(batches=Count("id"), net=Sum("net_amount"))
        .order_by("partnership__partner__code", "currency", "status")
    )
    return [
        {
            "partner": row["partnership__partner__code"],
            "partner_name": row["partnership__partner__name"],
            "currency": row["currency"],
            "status": row["status"],
            "batches": row["batches"],
            "net": row["net"],
        }
        for row in rows
    ]


def dispute_totals(*, since, partner_code=None):
    """Settlement disputes raised since `since`, per partner, currency and status: how many, and the
    sum of the differences between our amount and the partner's (a missing side counts as 0).
    [{partner, partner_name, currency, status, disputes, difference}]"""
    disputes = SettlementDispute.objects.filter(created_at__gte=since)
    if partner_code:
        disputes = disputes.filter(batch__partnership__partner__code=partner_code)
    zero = Value(Decimal(0), output_field=DecimalField(**AMOUNT))
    difference = Abs(Coalesce(F("our_amount"), zero) - Coalesce(F("partner_amount"), zero))
    rows = (
        disputes.values("batch__partnership__partner__code", "batch__partnership__partner__name", "currency", "status")
        .annotate(disputes=Count("id"), difference=Sum(difference))
        .order_by("batch__partnership__partner__code", "currency", "status")
    )
    return [
        {
            "partner": row["batch__partnership__partner__code"],
            "partner_name": row["batch__partnership__partner__name"],
            "currency": row["currency"],
            "status": row["status"],
            "disputes": row["disputes"],
            "difference": row["difference"],
        }
        for row in rows
    ]
