"""Merchant payout task: a thin wrapper over payments.merchants.services.run_payouts."""

from celery import shared_task

from ..merchants import services


@shared_task(name="payments.pay_merchants")
def pay_merchants():
    """Idempotent per day: the day's run, once made, is found again."""
    run = services.run_payouts()
    return {"run": run.key, "payouts": run.payouts.count()}
