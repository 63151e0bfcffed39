"""Settlement tasks: thin wrappers over payments.ledger.services.settlement."""

from celery import shared_task

from ..ledger.services import settlement


@shared_task(name="payments.close_settlement_periods")
def close_settlement_periods():
    """Idempotent: a period already closed is found, not closed again."""
    return [str(batch.reference) for batch in settlement.close_due_periods()]
