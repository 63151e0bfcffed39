"""The beat that makes sure no shopper is charged without an order: payments whose checkout placed
no order by their expiry plus the grace period are voided (not captured) or refunded (captured)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from crossborder.errors import DomainError
from payments.models import Payment
from payments.providers.services import payment as payments
from payments.tasks import payment as payment_tasks

from .payment_factories import (  # noqa: F401
    approve,
    authorised,
    captured,
    charge_of,
    ledger_postings,
    sandbox_webhooks_through_test_client,
    start,
    states,
)

pytestmark = pytest.mark.django_db

S = Payment.State


def after_the_grace(payment, minutes=1):
    return payment.expires_at + dt.timedelta(minutes=30 + minutes)


def test_the_beat_voids_an_abandoned_authorised_payment():
    payment = authorised()
    assert payments.void_abandoned_payments(now=after_the_grace(payment)) == {"voided": 1, "refunded": 0, "failed": 0}
    payment.refresh_from_db()
    assert payment.state == S.CANCELLED
    assert charge_of(payment).status == "cancelled"
    assert payment.transitions.order_by("-id").first().reason == "abandoned: no order placed"


def test_the_beat_refunds_an_abandoned_captured_payment():
    payment = captured(amount="88.00")
    assert payments.void_abandoned_payments(now=after_the_grace(payment)) == {"voided": 0, "refunded": 1, "failed": 0}
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (S.REFUNDED, Decimal("88.00"))
    assert charge_of(payment).refunded_amount == Decimal("88")
    assert ledger_postings(f"payment:{payment.token}:refund:1") == {
        "shopper_prepayments": Decimal("88.00"),
        "psp_clearing": Decimal("-88.00"),
    }


def test_the_beat_refunds_what_is_left_of_a_partly_refunded_abandoned_payment():
    payment = payments.refund_payment(payment=captured(amount="88.00"), amount=Decimal("8.00"))
    payments.void_abandoned_payments(now=after_the_grace(payment))
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (S.REFUNDED, Decimal("88.00"))
    assert ledger_postings(f"payment:{payment.token}:refund:2")["psp_clearing"] == Decimal("-80.00")


def test_the_beat_leaves_a_payment_whose_order_was_placed_alone():
    payment = payments.mark_order_placed(payment=captured())
    authorised_with_order = payments.mark_order_placed(payment=authorised())
    assert payments.void_abandoned_payments(now=after_the_grace(payment, minutes=600)) == {
        "voided": 0,
        "refunded": 0,
        "failed": 0,
    }
    payment.refresh_from_db()
    authorised_with_order.refresh_from_db()
    assert (payment.state, authorised_with_order.state) == (S.CAPTURED, S.AUTHORISED)


def test_the_beat_leaves_a_payment_within_its_grace_period_alone():
    payment = authorised()
    assert payments.void_abandoned_payments(now=after_the_grace(payment, minutes=-2))["voided"] == 0
    payment.refresh_from_db()
    assert payment.state == S.AUTHORISED


def test_the_beat_cancels_a_request_still_waiting_so_the_shopper_can_no_longer_approve_it():
    payment = start("sandbox_card", currency="USD")
    assert payments.void_abandoned_payments(now=after_the_grace(payment))["voided"] == 1
    payment.refresh_from_db()
    assert payment.state == S.CANCELLED
    with pytest.raises(Exception, match="already cancelled"):
        approve(payment)


def test_running_the_beat_twice_changes_nothing_the_second_time():
    payment = captured()
    now = after_the_grace(payment)
    payments.void_abandoned_payments(now=now)
    before = states(payment)
    assert payments.void_abandoned_payments(now=now) == {"voided": 0, "refunded": 0, "failed": 0}
    assert states(payment) == before


def test_an_order_placed_after_the_beat_voided_the_payment_is_refused():
    payment = authorised()
    payments.void_abandoned_payments(now=after_the_grace(payment))
    with pytest.raises(DomainError) as refused:
        payments.mark_order_placed(payment=payment)
    assert refused.value.code == "payment_not_completed"


def test_the_celery_task_runs_the_beat():
    payment = authorised()
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - dt.timedelta(hours=2))
    assert payment_tasks.void_abandoned_payments.apply().get() == {"voided": 1, "refunded": 0, "failed": 0}
