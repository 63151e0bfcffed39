"""Settlement tasks: thin wrappers over payments.services.settlement."""

from celery import shared_task

from ..services import settlement


@shared_task(name="payments.close_settlement_periods")
def close_settlement_periods():
    """Idempotent: a period already closed is found, not closed again."""
    return [str(batch.reference) for batch in settlement.close_due_periods()]
