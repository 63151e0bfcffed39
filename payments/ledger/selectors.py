"""Reads of the ledger for other apps: a partnership's settlement record (when each period closed
and when the partner's statement of it arrived) and its disputes."""

from django.db.models import Min, OuterRef, Subquery

from .models import PartnerStatementPart, SettlementBatch, SettlementDispute


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
