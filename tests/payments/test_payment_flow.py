"""A payment's life at the sandbox providers through the services: create, the shopper approves,
the signed webhook authorises, capture, partial and full refunds, with the ledger postings each
step makes; and the amounts and operations that are refused."""

from decimal import Decimal

import pytest

from crossborder.errors import DomainError
from payments.models import LedgerTransaction, Payment, ProviderCall, SandboxWebhook, WebhookReceipt
from payments.providers import sandbox
from payments.providers.services import payment as payments

from . import payment_factories as pf
from .payment_factories import (
    approve,
    authorised,
    captured,
    charge_of,
    decline,
    ledger_postings,
    payment_world,
    sandbox_webhooks_through_test_client,  # noqa: F401
    start,
    states,
)

pytestmark = pytest.mark.django_db

S = Payment.State


def test_a_wallet_payment_starts_waiting_for_the_shopper_with_a_qr_code_to_scan():
    payment = start("sandbox_wallet", amount="120.00")
    assert payment.state == S.PENDING
    assert payment.provider_payment_id.startswith("wal_")
    assert payment.next_action["kind"] == "qr"
    assert (
        payment.next_action["qr_payload"] == f"http://testserver/en/pay/sandbox/wallet/{payment.provider_payment_id}/"
    )
    assert states(payment) == [("created", "pending")]
    create = ProviderCall.objects.get(payment=payment)
    assert (create.operation, create.status, create.idempotency_key) == (
        "create",
        "succeeded",
        f"{payment.token}:create",
    )
    assert charge_of(payment).amount == Decimal("120.00")


def test_a_card_payment_starts_with_a_redirect_to_the_challenge():
    payment = start("sandbox_card", amount="35.50", currency="USD")
    assert payment.next_action["kind"] == "redirect"
    assert (
        payment.next_action["redirect_url"] == f"http://testserver/en/pay/sandbox/card/{payment.provider_payment_id}/"
    )
    assert charge_of(payment).return_url == f"http://testserver/en/pay/{payment.token}/return/"


def test_create_approve_webhook_capture_partial_and_full_refund_post_the_ledger():
    payment = start("sandbox_wallet", amount="120.00")

    payment = approve(payment)  # the sandbox sends payment.authorised, signed, to our endpoint
    assert payment.state == S.AUTHORISED and payment.authorised_amount == Decimal("120.00")
    assert [status for *_rest, status in pf.SENT] == [200]
    assert WebhookReceipt.objects.get(payment=payment).event_type == "payment.authorised"

    payment = payments.capture_payment(payment=payment)
    assert payment.state == S.CAPTURED and payment.captured_amount == Decimal("120.00")
    assert ledger_postings(f"payment:{payment.token}:capture") == {
        "psp_clearing": Decimal("120.00"),
        "shopper_prepayments": Decimal("-120.00"),
    }

    payment = payments.refund_payment(payment=payment, amount=Decimal("30.00"))
    assert payment.state == S.PARTIALLY_REFUNDED and payment.refunded_amount == Decimal("30.00")
    assert ledger_postings(f"payment:{payment.token}:refund:1") == {
        "shopper_prepayments": Decimal("30.00"),
        "psp_clearing": Decimal("-30.00"),
    }

    payment = payments.refund_payment(payment=payment)  # the rest
    assert payment.state == S.REFUNDED and payment.refunded_amount == Decimal("120.00")
    assert ledger_postings(f"payment:{payment.token}:refund:2") == {
        "shopper_prepayments": Decimal("90.00"),
        "psp_clearing": Decimal("-90.00"),
    }

    assert states(payment) == [
        ("created", "pending"),
        ("pending", "authorised"),
        ("authorised", "captured"),
        ("captured", "partially_refunded"),
        ("partially_refunded", "refunded"),
    ]
    charge = charge_of(payment)
    assert (charge.status, charge.captured_amount, charge.refunded_amount) == (
        "captured",
        Decimal("120"),
        Decimal("120"),
    )
    # Each capture and refund also reached us as a webhook, and changed nothing a second time.
    assert sorted(WebhookReceipt.objects.filter(payment=payment).values_list("event_type", flat=True)) == [
        "payment.authorised",
        "payment.captured",
        "payment.refunded",
        "payment.refunded",
    ]
    assert LedgerTransaction.objects.filter(reference__startswith=f"payment:{payment.token}:").count() == 3
    assert list(
        ProviderCall.objects.filter(payment=payment).order_by("id").values_list("operation", "number", "status")
    ) == [
        ("create", 1, "succeeded"),
        ("capture", 1, "succeeded"),
        ("refund", 1, "succeeded"),
        ("refund", 2, "succeeded"),
    ]


def test_a_card_payment_declined_at_the_challenge_is_declined_and_posts_nothing():
    payment = decline(start("sandbox_card", currency="USD"))
    assert payment.state == S.DECLINED
    assert payment.authorised_amount == 0
    assert not LedgerTransaction.objects.exists()


def test_capturing_twice_captures_once():
    payment = captured("sandbox_card", currency="USD", amount="20.00")
    again = payments.capture_payment(payment=payment)
    assert again.state == S.CAPTURED
    assert ProviderCall.objects.filter(payment=payment, operation="capture").count() == 1
    assert LedgerTransaction.objects.filter(reference=f"payment:{payment.token}:capture").count() == 1


def test_a_refund_beyond_what_is_left_is_refused_and_calls_nothing():
    payment = payments.refund_payment(payment=captured(amount="50.00"), amount=Decimal("40.00"))
    before = payment_world(payment)
    with pytest.raises(DomainError) as refused:
        payments.refund_payment(payment=payment, amount=Decimal("10.01"))
    assert refused.value.code == "refund_exceeds_captured" and refused.value.status == 409
    assert refused.value.detail == "At most 10.00 CNY of this payment can still be refunded."
    assert payment_world(payment) == before
    assert charge_of(payment).refunded_amount == Decimal("40")


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        ("10.005", "CNY", "too_many_decimals"),
        ("10.5", "JPY", "too_many_decimals"),
        ("0", "USD", "invalid_amount"),
        ("-5.00", "USD", "invalid_amount"),
        ("NaN", "USD", "invalid_amount"),
        ("10.00", "XXQ", "unknown_currency"),
    ],
)
def test_a_payment_with_a_bad_amount_is_refused_and_records_nothing(amount, currency, code):
    before = payment_world()
    with pytest.raises(DomainError) as refused:
        start("sandbox_wallet", amount=amount, currency=currency)
    assert refused.value.code == code
    assert payment_world() == before


def test_a_refund_with_too_many_decimals_is_refused_and_records_nothing():
    payment = captured(amount="50.00")
    before = payment_world(payment)
    with pytest.raises(DomainError) as refused:
        payments.refund_payment(payment=payment, amount=Decimal("1.234"))
    assert (refused.value.code, refused.value.field) == ("too_many_decimals", "amount")
    assert refused.value.detail == "1.234 has more than 2 decimals, which CNY does not have."
    assert payment_world(payment) == before


def test_an_unknown_provider_is_refused_naming_the_ones_there_are():
    with pytest.raises(DomainError) as refused:
        start("paypal")
    assert refused.value.code == "unknown_provider"
    assert refused.value.detail == "No payment provider paypal; this platform offers: sandbox_wallet, sandbox_card."
    assert not Payment.objects.exists()


def test_cancelling_an_authorised_payment_voids_it_at_the_provider():
    payment = payments.cancel_payment(payment=authorised(), reason="shopper changed their mind")
    assert payment.state == S.CANCELLED
    assert charge_of(payment).status == "cancelled"
    assert states(payment)[-1] == ("authorised", "cancelled")
    assert not LedgerTransaction.objects.exists()


def test_a_captured_payment_cannot_be_cancelled_only_refunded():
    payment = captured()
    before = payment_world(payment)
    with pytest.raises(DomainError) as refused:
        payments.cancel_payment(payment=payment)
    assert refused.value.code == "illegal_transition"
    assert payment_world(payment) == before


def test_polling_catches_up_when_the_webhook_did_not_arrive():
    payment = start("sandbox_wallet")
    pf.OUTAGE["status"] = 503
    payment = approve(payment)
    assert payment.state == S.PENDING  # the webhook did not get through
    payment = payments.refresh_payment(payment=payment)
    assert payment.state == S.AUTHORISED
    assert states(payment)[-1] == ("pending", "authorised")
    assert PaymentTransitionReason.last(payment) == "polled"


def test_an_undelivered_webhook_is_sent_again_later_and_applied_once():
    payment = start("sandbox_wallet")
    pf.OUTAGE["status"] = 500
    approve(payment)
    webhook = SandboxWebhook.objects.get(charge__charge_id=payment.provider_payment_id)
    assert (webhook.attempts, webhook.delivered_at, webhook.last_error) == (1, None, "HTTP 500")

    pf.OUTAGE["status"] = None
    assert sandbox.retry_due_webhooks(now=webhook.next_attempt_at) == {"delivered": 1, "failed": 0}
    payment.refresh_from_db()
    assert payment.state == S.AUTHORISED
    webhook.refresh_from_db()
    assert webhook.delivered_at is not None and webhook.attempts == 2
    assert sandbox.retry_due_webhooks(now=webhook.next_attempt_at) == {"delivered": 0, "failed": 0}


def test_an_expired_wallet_request_cannot_be_approved_and_the_payment_is_cancelled_on_poll():
    from django.utils import timezone

    payment = start("sandbox_wallet", expires_at=timezone.now() + timezone.timedelta(seconds=-1))
    with pytest.raises(sandbox.ProviderError):
        approve(payment)
    payment = payments.refresh_payment(payment=payment)
    assert payment.state == S.CANCELLED
    assert charge_of(payment).status == "expired"


def test_the_order_can_be_placed_only_with_authorised_or_captured_money():
    pending = start("sandbox_wallet")
    with pytest.raises(DomainError) as refused:
        payments.mark_order_placed(payment=pending)
    assert refused.value.code == "payment_not_completed"
    paid = payments.mark_order_placed(payment=authorised())
    assert paid.order_placed_at is not None


class PaymentTransitionReason:
    @staticmethod
    def last(payment):
        return payment.transitions.order_by("-id").first().reason
