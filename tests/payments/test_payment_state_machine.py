"""The payment state machine: every legal path is walked and recorded; anything else is refused and
records nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from crossborder.errors import DomainError
from payments.models import Payment, PaymentTransition, ProviderCall
from payments.providers.services import payment as payments

from .payment_factories import (
    payment_world,
    sandbox_webhooks_through_test_client,  # noqa: F401
    start,
    states,
)

pytestmark = pytest.mark.django_db

S = Payment.State

LEGAL_PATHS = {
    "paid, captured, refunded in parts": [
        S.PENDING,
        S.AUTHORISED,
        S.CAPTURED,
        S.PARTIALLY_REFUNDED,
        S.PARTIALLY_REFUNDED,
        S.REFUNDED,
    ],
    "captured then refunded at once": [S.PENDING, S.AUTHORISED, S.CAPTURED, S.REFUNDED],
    "declined by the shopper": [S.PENDING, S.DECLINED],
    "abandoned while waiting": [S.PENDING, S.CANCELLED],
    "voided after authorisation": [S.PENDING, S.AUTHORISED, S.CANCELLED],
    "refused by the provider at create": [S.FAILED],
    "cancelled before the provider answered": [S.CANCELLED],
    "authorised before the create answer arrived": [S.AUTHORISED],
    "declined before the create answer arrived": [S.DECLINED],
}


def fresh_payment():
    return Payment.objects.create(
        checkout_reference="checkout-sm",
        amount=Decimal("10.00"),
        currency="CNY",
        provider="sandbox_wallet",
        expires_at=timezone.now() + dt.timedelta(minutes=15),
    )


@pytest.mark.parametrize("path", LEGAL_PATHS.values(), ids=LEGAL_PATHS.keys())
def test_every_legal_path_is_walked_and_each_step_recorded(path):
    payment = fresh_payment()
    for to in path:
        payment = payments.transition(payment=payment, to=to, reason=f"to {to}")
    assert payment.state == path[-1]
    assert states(payment) == list(zip([S.CREATED, *path[:-1]], path, strict=True))
    assert [t.reason for t in PaymentTransition.objects.filter(payment=payment).order_by("id")] == [
        f"to {to}" for to in path
    ]


def test_the_legal_paths_cover_every_allowed_move():
    walked = set()
    for path in LEGAL_PATHS.values():
        walked |= set(zip([S.CREATED, *path[:-1]], path, strict=True))
    allowed = {(source, to) for source, targets in Payment.ALLOWED.items() for to in targets}
    assert walked == allowed


def test_an_illegal_transition_is_refused_and_records_nothing():
    payment = payments.transition(payment=fresh_payment(), to=S.PENDING, reason="created")
    before = payment_world(payment)
    with pytest.raises(DomainError) as refused:
        payments.transition(payment=payment, to=S.CAPTURED, reason="skip the authorisation")
    assert refused.value.code == "illegal_transition" and refused.value.status == 409
    assert refused.value.detail == "A payment that is waiting for the shopper cannot become captured."
    assert payment_world(payment) == before


@pytest.mark.parametrize("final", [S.REFUNDED, S.DECLINED, S.CANCELLED, S.FAILED])
def test_a_final_state_has_no_way_out(final):
    payment = fresh_payment()
    Payment.objects.filter(pk=payment.pk).update(state=final)
    payment.refresh_from_db()
    assert payment.is_final
    for to in S:
        with pytest.raises(DomainError):
            payments.transition(payment=payment, to=to, reason="try")
    assert not PaymentTransition.objects.filter(payment=payment).exists()


def test_capturing_a_payment_still_waiting_for_the_shopper_is_refused_and_calls_nothing():
    payment = start("sandbox_wallet")
    before = payment_world(payment)
    with pytest.raises(DomainError) as refused:
        payments.capture_payment(payment=payment)
    assert refused.value.code == "illegal_transition"
    assert payment_world(payment) == before
    assert not ProviderCall.objects.filter(payment=payment, operation="capture").exists()


def test_refunding_a_payment_that_was_never_captured_is_refused_and_calls_nothing():
    payment = start("sandbox_card", currency="USD")
    before = payment_world(payment)
    with pytest.raises(DomainError) as refused:
        payments.refund_payment(payment=payment)
    assert refused.value.code == "illegal_transition"
    assert payment_world(payment) == before
