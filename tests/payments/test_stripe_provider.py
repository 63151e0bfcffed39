"""The Stripe adapter, through the official SDK, against a local stand-in of Stripe's API
(tests/payments/standins/stripe_standin.py): a Checkout Session in manual-capture mode, the shopper's
3-D Secure on the hosted page, the signed webhooks, capture, partial and full refunds, cancel; forged
webhooks refused; a timed-out call retried with its idempotency key done once."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import stripe

from crossborder.errors import DomainError
from payments.models import Payment, WebhookReceipt
from payments.providers import ProviderError, get_provider
from payments.providers.services import payment as payments
from payments.providers.stripe_provider import _error, from_minor_units, to_minor_units

from .payment_factories import payment_world, sandbox_webhooks_through_test_client, start  # noqa: F401
from .standins.fixtures import STRIPE_URL, STRIPE_WEBHOOK_SECRET, deliver_stripe
from .standins.stripe_standin import stripe_signature

pytestmark = pytest.mark.django_db

URL, WEBHOOK_SECRET = STRIPE_URL, STRIPE_WEBHOOK_SECRET


@pytest.fixture
def standin(stripe_standin):
    return stripe_standin


def deliver(client, standin):
    return deliver_stripe(client, standin)


def shopper_passes_3ds(payment, outcome="approve"):
    return requests.get(
        payment.next_action["redirect_url"], params={"outcome": outcome}, allow_redirects=False, timeout=5
    )


def authorised(client, standin, amount="120.00"):
    payment = start("stripe", amount=amount, currency="USD")
    assert shopper_passes_3ds(payment).status_code == 303
    deliver(client, standin)
    payment.refresh_from_db()
    assert payment.state == Payment.State.AUTHORISED
    return payment


def test_create_redirects_the_shopper_to_stripe_checkout_in_manual_capture_mode(standin):
    payment = start("stripe", amount="120.00", currency="USD")
    assert payment.state == Payment.State.PENDING
    assert payment.provider_payment_id.startswith("cs_")
    assert payment.next_action["kind"] == "redirect"
    assert payment.next_action["redirect_url"] == f"{standin.base_url}/pay/{payment.provider_payment_id}"
    entry = standin.sessions[payment.provider_payment_id]
    assert entry["intent_data"] == {"capture_method": "manual", "metadata": {"platform_reference": payment.token}}
    assert entry["session"]["amount_total"] == 12000 and entry["session"]["currency"] == "usd"
    assert entry["session"]["success_url"].endswith(f"/pay/{payment.token}/return/")


def test_the_whole_flow_authorise_capture_refund_partly_then_fully(client, standin):
    payment = start("stripe", amount="120.00", currency="USD")
    back = shopper_passes_3ds(payment)
    assert back.status_code == 303 and back.headers["Location"].endswith(f"/pay/{payment.token}/return/")
    kinds = [kind for kind, _answer in deliver(client, standin)]
    assert kinds == ["payment_intent.amount_capturable_updated", "checkout.session.completed"]
    payment.refresh_from_db()
    assert (payment.state, payment.authorised_amount) == (Payment.State.AUTHORISED, Decimal("120.00"))

    payment = payments.capture_payment(payment=payment)
    assert (payment.state, payment.captured_amount) == (Payment.State.CAPTURED, Decimal("120.00"))
    intent_id = standin.sessions[payment.provider_payment_id]["session"]["payment_intent"]
    assert standin.intents[intent_id]["amount_received"] == 12000
    assert deliver(client, standin)[0][1]["state"] == "captured"  # payment_intent.succeeded: no change

    payment = payments.refund_payment(payment=payment, amount=Decimal("20.00"))
    assert (payment.state, payment.refunded_amount) == (Payment.State.PARTIALLY_REFUNDED, Decimal("20.00"))
    deliver(client, standin)  # charge.refunded names the same refund: recorded once
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("20.00")

    payment = payments.refund_payment(payment=payment)
    assert (payment.state, payment.refunded_amount) == (Payment.State.REFUNDED, Decimal("120.00"))
    deliver(client, standin)
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("120.00")
    assert standin.done["refund"] == 2
    charge = next(iter(standin.charges.values()))
    assert charge["amount_refunded"] == 12000
    keys = [r["metadata"]["platform_idempotency_key"] for r in standin.refunds.values()]
    assert keys == [f"{payment.token}:refund:1", f"{payment.token}:refund:2"]


@pytest.mark.parametrize("charge_lists_refunds", [True, False], ids=["older-api", "current-api"])
def test_a_refund_made_in_stripes_dashboard_is_recorded_once(client, standin, charge_lists_refunds):
    standin.charge_lists_refunds = charge_lists_refunds
    payment = payments.capture_payment(payment=authorised(client, standin))
    deliver(client, standin)
    intent_id = standin.sessions[payment.provider_payment_id]["session"]["payment_intent"]
    with standin.lock:  # a refund from Stripe's dashboard: no key of ours
        standin._refund({"payment_intent": intent_id, "amount": "3000"})
    assert [kind for kind, _ in deliver(client, standin)] == ["charge.refunded", "refund.created"]
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (Payment.State.PARTIALLY_REFUNDED, Decimal("30.00"))
    assert payment.provider_calls.filter(operation="refund").count() == 1


def test_a_failed_3ds_leaves_the_payment_pending_so_the_shopper_may_try_again(client, standin):
    payment = start("stripe", amount="50.00", currency="USD")
    assert shopper_passes_3ds(payment, "decline").status_code == 200
    assert [kind for kind, _ in deliver(client, standin)] == ["payment_intent.payment_failed"]
    payment.refresh_from_db()
    assert payment.state == Payment.State.PENDING
    assert payments.refresh_payment(payment=payment).state == Payment.State.PENDING
    shopper_passes_3ds(payment)
    deliver(client, standin)
    payment.refresh_from_db()
    assert payment.state == Payment.State.AUTHORISED


def test_polling_catches_up_without_webhooks(client, standin):
    payment = start("stripe", amount="50.00", currency="USD")
    shopper_passes_3ds(payment)
    standin.take_events()  # lost
    payment = payments.refresh_payment(payment=payment)
    assert (payment.state, payment.authorised_amount) == (Payment.State.AUTHORISED, Decimal("50.00"))


def test_cancel_releases_an_authorisation_and_expires_an_open_session(client, standin):
    payment = payments.cancel_payment(payment=authorised(client, standin))
    assert payment.state == Payment.State.CANCELLED
    intent_id = standin.sessions[payment.provider_payment_id]["session"]["payment_intent"]
    assert standin.intents[intent_id]["status"] == "canceled"
    assert deliver(client, standin)[0][0] == "payment_intent.canceled"

    waiting = start("stripe", amount="10.00", currency="USD")
    waiting = payments.cancel_payment(payment=waiting)
    assert waiting.state == Payment.State.CANCELLED
    assert standin.sessions[waiting.provider_payment_id]["session"]["status"] == "expired"
    assert shopper_passes_3ds(waiting).status_code == 404  # the shopper can no longer pay


def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(client, standin):
    payment = start("stripe", amount="120.00", currency="USD")
    shopper_passes_3ds(payment)
    (payload, headers, _kind), *_ = standin.take_events()
    before = payment_world(payment)
    forged = {"Stripe-Signature": stripe_signature("whsec_someone_else", payload)}
    response = client.post(URL, data=payload, content_type="application/json", headers=forged)
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"
    tampered = payload.replace(b'"amount_capturable": 12000', b'"amount_capturable": 1')
    response = client.post(URL, data=tampered, content_type="application/json", headers=headers)
    assert response.status_code == 401
    response = client.post(URL, data=payload, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "signature_missing"
    stale = {"Stripe-Signature": stripe_signature(WEBHOOK_SECRET, payload, timestamp=1_700_000_000)}
    response = client.post(URL, data=payload, content_type="application/json", headers=stale)
    assert response.status_code == 401 and response.json()["code"] == "signature_stale"
    assert payment_world(payment) == before
    assert client.post(URL, data=payload, content_type="application/json", headers=headers).status_code == 200


def test_an_event_the_platform_does_not_follow_is_acknowledged_and_changes_nothing(client, standin):
    payload = json.dumps({"id": "evt_x", "type": "customer.created", "data": {"object": {}}}).encode()
    headers = {"Stripe-Signature": stripe_signature(WEBHOOK_SECRET, payload)}
    response = client.post(URL, data=payload, content_type="application/json", headers=headers)
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert WebhookReceipt.objects.count() == 0


def test_a_timed_out_capture_is_not_definitive_and_its_retry_captures_once(client, standin):
    payment = authorised(client, standin)
    standin.delay = 1.5  # longer than the adapter's 1 s timeout: Stripe did it, the answer is lost
    with pytest.raises(DomainError) as refused:
        payments.capture_payment(payment=payment)
    assert refused.value.code == "provider_unavailable"
    payment.refresh_from_db()
    assert payment.state == Payment.State.AUTHORISED
    standin.delay = 0
    payment = payments.capture_payment(payment=payment)
    assert (payment.state, payment.captured_amount) == (Payment.State.CAPTURED, Decimal("120.00"))
    assert standin.done["capture"] == 1


def test_a_timed_out_refund_retried_with_its_key_is_refunded_once(client, standin):
    payment = payments.capture_payment(payment=authorised(client, standin))
    provider = get_provider("stripe")
    standin.delay = 1.5
    with pytest.raises(ProviderError) as lost:
        provider.refund(payment.provider_payment_id, amount=Decimal("5.00"), idempotency_key="k-refund-1")
    assert lost.value.definitive is False
    standin.delay = 0
    first = provider.refund(payment.provider_payment_id, amount=Decimal("5.00"), idempotency_key="k-refund-1")
    assert first.amount == Decimal("5.00")
    assert standin.done["refund"] == 1 and list(standin.refunds) == [first.provider_reference]
    with pytest.raises(ProviderError) as reused:  # the same key for another amount: Stripe says no
        provider.refund(payment.provider_payment_id, amount=Decimal("6.00"), idempotency_key="k-refund-1")
    assert reused.value.definitive is True


def test_stripe_refusals_are_definitive_and_unknown_outcomes_are_not(standin):
    assert _error(stripe.CardError("declined", None, "card_declined")).definitive is True
    assert _error(stripe.InvalidRequestError("bad", "amount")).definitive is True
    assert _error(stripe.APIConnectionError("timeout")).definitive is False
    assert _error(stripe.RateLimitError("slow down", http_status=429)).definitive is False
    assert _error(stripe.APIError("boom", http_status=500)).definitive is False
    payment = start("stripe", amount="10.00", currency="USD")
    with pytest.raises(ProviderError) as unpaid:  # nothing to capture before the shopper pays
        get_provider("stripe").capture(payment.provider_payment_id, amount=Decimal("10.00"), idempotency_key="k")
    assert unpaid.value.definitive is True


@pytest.mark.parametrize(
    "amount, currency, units",
    [
        ("1200", "JPY", 1200),
        ("12.34", "USD", 1234),
        ("88.00", "CNY", 8800),
        ("5.120", "KWD", 5120),
        ("1.500", "BHD", 1500),
        ("100.00", "ISK", 10000),
    ],
)
def test_amounts_go_to_stripe_in_its_minor_units_exactly(amount, currency, units):
    assert to_minor_units(Decimal(amount), currency) == units
    assert from_minor_units(units, currency) == Decimal(amount).quantize(from_minor_units(1, currency))


@pytest.mark.parametrize(
    "amount, currency", [("12.5", "JPY"), ("1.005", "USD"), ("5.125", "KWD"), ("100.5", "ISK"), ("0", "USD")]
)
def test_an_amount_stripe_cannot_take_is_refused_not_rounded(amount, currency):
    with pytest.raises(ProviderError) as refused:
        to_minor_units(Decimal(amount), currency)
    assert refused.value.definitive is True


def test_settings_offer_stripe_when_its_secret_key_is_set():
    root = Path(__file__).resolve().parents[2]
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='crossborder.settings'; django.setup();"
        "from django.conf import settings as s; import json;"
        "print(json.dumps({k: s.PAYMENT_PROVIDERS.get(k) for k in ('stripe', 'alipay')}))"
    )
    env = {**os.environ, "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}
    env.pop("ALIPAY_APP_ID", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    providers = json.loads(out.stdout.strip().splitlines()[-1])
    assert providers["stripe"] == {
        "CLASS": "payments.providers.stripe_provider.StripeCard",
        "SECRET_KEY": "sk_live_x",
        "WEBHOOK_SECRET": "whsec_x",
        "API_BASE": "",
    }
    assert providers["alipay"] is None
