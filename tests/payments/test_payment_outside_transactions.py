"""The provider is a network call: it is never called inside a database transaction, and the intent
(the ProviderCall with its idempotency key) is committed before it. These tests run with real
commits (`transaction=True`) so that "inside a transaction" means what it does in production."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from crossborder.errors import DomainError
from payments.models import Payment, ProviderCall
from payments.providers import NextAction, OperationResult, ProviderError, ProviderPayment, ProviderStatus
from payments.providers.services import payment as payments

from .payment_factories import sandbox_webhooks_through_test_client, start  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


class FakeProvider:
    """A provider that authorises at once and checks how it is called."""

    calls: list = []
    fail_next: list = []

    def __init__(self, *, code, options):
        self.code = code
        self.name = "Fake"

    def _called(self, operation, idempotency_key=None):
        assert not connection.in_atomic_block, f"{operation} called inside a database transaction"
        if idempotency_key is not None:
            # The intent is already written (and, outside any transaction, committed).
            assert ProviderCall.objects.filter(idempotency_key=idempotency_key).exists()
        FakeProvider.calls.append((operation, idempotency_key))
        if FakeProvider.fail_next:
            raise FakeProvider.fail_next.pop(0)

    def create_payment(self, request):
        self._called("create", request.idempotency_key)
        return ProviderPayment(
            provider_payment_id=f"fake-{request.reference}",
            status=ProviderStatus.AUTHORISED,
            authorised_amount=request.amount,
            next_action=NextAction(),
        )

    def fetch_payment(self, provider_payment_id):
        self._called("fetch")
        return ProviderPayment(provider_payment_id=provider_payment_id, status=ProviderStatus.AUTHORISED)

    def capture(self, provider_payment_id, *, amount, idempotency_key):
        self._called("capture", idempotency_key)
        return OperationResult(provider_reference="cap-1", amount=amount)

    def refund(self, provider_payment_id, *, amount, idempotency_key):
        self._called("refund", idempotency_key)
        return OperationResult(provider_reference=f"ref-{idempotency_key}", amount=amount)

    def cancel(self, provider_payment_id, *, idempotency_key):
        self._called("cancel", idempotency_key)
        return OperationResult(provider_reference="void-1")

    def parse_webhook(self, headers, body, *, now=None):
        raise AssertionError("not used")


@pytest.fixture(autouse=True)
def fake_provider(settings):
    settings.PAYMENT_PROVIDERS = {
        **django_settings.PAYMENT_PROVIDERS,
        "fake": {"CLASS": f"{__name__}.FakeProvider", "WEBHOOK_SECRET": "fake"},
    }
    FakeProvider.calls = []
    FakeProvider.fail_next = []


def test_the_provider_is_never_called_inside_a_database_transaction():
    payment = start("fake", amount="60.00", currency="USD")
    assert payment.state == Payment.State.AUTHORISED
    payment = payments.refresh_payment(payment=payment)
    payment = payments.capture_payment(payment=payment)
    payment = payments.refund_payment(payment=payment, amount=Decimal("10.00"))
    payment = payments.refund_payment(payment=payment)
    other = payments.cancel_payment(payment=start("fake", amount="5.00", currency="USD"))
    assert (payment.state, other.state) == (Payment.State.REFUNDED, Payment.State.CANCELLED)
    assert [operation for operation, _key in FakeProvider.calls] == [
        "create",
        "fetch",
        "capture",
        "refund",
        "refund",
        "create",
        "cancel",
    ]


def test_a_provider_that_does_not_answer_leaves_the_call_pending_and_the_retry_uses_the_same_key():
    payment = start("fake", amount="60.00", currency="USD")
    FakeProvider.fail_next.append(ProviderError("timed out", definitive=False))
    with pytest.raises(DomainError) as refused:
        payments.capture_payment(payment=payment)
    assert (refused.value.code, refused.value.status) == ("provider_unavailable", 503)
    call = ProviderCall.objects.get(payment=payment, operation="capture")
    assert (call.status, call.error) == ("pending", "timed out")
    payment.refresh_from_db()
    assert payment.state == Payment.State.AUTHORISED

    payments.capture_payment(payment=payment)
    keys = [key for operation, key in FakeProvider.calls if operation == "capture"]
    assert keys == [f"{payment.token}:capture", f"{payment.token}:capture"]
    call.refresh_from_db()
    assert call.status == "succeeded"


def test_a_provider_that_refuses_to_create_fails_the_payment():
    FakeProvider.fail_next.append(ProviderError("card blocked", definitive=True))
    with pytest.raises(DomainError) as refused:
        start("fake", amount="60.00", currency="USD")
    assert (refused.value.code, refused.value.status) == ("provider_declined", 402)
    payment = Payment.objects.get()
    assert payment.state == Payment.State.FAILED
    assert ProviderCall.objects.get(payment=payment).status == "failed"


def test_a_refund_in_flight_counts_against_what_is_left():
    payment = payments.capture_payment(payment=start("fake", amount="60.00", currency="USD"))
    FakeProvider.fail_next.append(ProviderError("timed out", definitive=False))
    with pytest.raises(DomainError):
        payments.refund_payment(payment=payment, amount=Decimal("50.00"))
    with pytest.raises(DomainError) as refused:
        payments.refund_payment(payment=payment, amount=Decimal("20.00"))
    assert refused.value.code == "refund_exceeds_captured"
    assert refused.value.detail == "At most 10.00 USD of this payment can still be refunded."


def test_a_payment_operation_inside_someone_elses_transaction_fails_loudly():
    with pytest.raises(RuntimeError), transaction.atomic():
        start("fake", amount="60.00", currency="USD")
    assert FakeProvider.calls == []
