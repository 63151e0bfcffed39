"""Providers' webhooks at /payments/webhooks/<provider>/: HMAC-SHA256 over "timestamp.body" in
`Payment-Signature: t=..,v1=..`. Unsigned, stale, future-dated, forged or tampered webhooks are
refused with a JSON error naming what is wrong and change nothing; a repeat is harmless."""

import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from payments.models import Payment, WebhookReceipt
from payments.providers import signing

from . import payment_factories as pf
from .payment_factories import event_body, payment_world, sandbox_webhooks_through_test_client, signed_headers, start  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/payments/webhooks/sandbox_wallet/"


def post(client, body, headers, url=URL):
    return client.post(url, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def pending():
    return start("sandbox_wallet")


def test_the_webhook_url_is_outside_the_language_prefixes():
    assert reverse("payment_webhooks:receive", kwargs={"provider": "sandbox_wallet"}) == URL


def test_a_signed_webhook_authorises_the_payment(client, pending):
    response = post(client, body := event_body(pending), signed_headers("sandbox_wallet", body))
    assert response.status_code == 200
    assert response.json() == {
        "event": "evt_test_1",
        "outcome": "applied",
        "payment": pending.token,
        "state": "authorised",
    }
    pending.refresh_from_db()
    assert pending.state == Payment.State.AUTHORISED
    receipt = WebhookReceipt.objects.get()
    assert (receipt.provider, receipt.event_id, receipt.raw_body) == ("sandbox_wallet", "evt_test_1", body.decode())


def test_an_unsigned_webhook_is_refused_and_changes_nothing(client, pending):
    before = payment_world(pending)
    response = post(client, event_body(pending), {})
    assert response.status_code == 400
    assert response.json() == {
        "code": "signature_missing",
        "detail": "The Payment-Signature header is missing.",
        "field": "signature",
    }
    assert payment_world(pending) == before


def test_a_stale_webhook_is_refused_and_changes_nothing(client, pending):
    body = event_body(pending)
    before = payment_world(pending)
    response = post(client, body, signed_headers("sandbox_wallet", body, timestamp=int(time.time()) - 301))
    assert response.status_code == 401
    assert response.json()["code"] == "signature_stale"
    assert "at most 300 s is accepted" in response.json()["detail"]
    assert payment_world(pending) == before


def test_a_webhook_dated_in_the_future_is_refused_and_changes_nothing(client, pending):
    body = event_body(pending)
    before = payment_world(pending)
    response = post(client, body, signed_headers("sandbox_wallet", body, timestamp=int(time.time()) + 600))
    assert (response.status_code, response.json()["code"]) == (401, "signature_from_future")
    assert payment_world(pending) == before


def test_a_webhook_signed_with_another_secret_is_refused_and_changes_nothing(client, pending):
    body = event_body(pending)
    before = payment_world(pending)
    response = post(client, body, signed_headers("sandbox_wallet", body, secret="guessed-secret"))
    assert response.status_code == 401
    assert response.json() == {
        "code": "signature_invalid",
        "detail": "The signature does not match the body.",
        "field": "signature",
    }
    assert payment_world(pending) == before


def test_a_webhook_signed_for_the_other_provider_is_refused(client, pending):
    body = event_body(pending)
    response = post(client, body, signed_headers("sandbox_card", body))
    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")


def test_a_tampered_body_is_refused_and_changes_nothing(client, pending):
    body = event_body(pending, status="pending", event_type="payment.declined")
    headers = signed_headers("sandbox_wallet", body)
    tampered = body.replace(b'"status": "pending"', b'"status": "authorised"')
    assert tampered != body
    before = payment_world(pending)
    response = post(client, tampered, headers)
    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")
    assert payment_world(pending) == before


@pytest.mark.parametrize("header", ["v1=abc", "t=notanumber,v1=abc", "garbage", "t=123"])
def test_a_malformed_signature_header_is_refused(client, pending, header):
    before = payment_world(pending)
    response = post(client, event_body(pending), {signing.SIGNATURE_HEADER: header})
    assert (response.status_code, response.json()["code"]) == (400, "signature_malformed")
    assert payment_world(pending) == before


def test_a_signed_body_that_is_not_an_event_is_refused(client, pending):
    body = b'{"id": "evt_1", "type": "payment.teleported", "data": {}}'
    before = payment_world(pending)
    response = post(client, body, signed_headers("sandbox_wallet", body))
    assert (response.status_code, response.json()["code"]) == (400, "invalid_payload")
    assert payment_world(pending) == before


def test_a_duplicate_webhook_answers_the_first_result_and_changes_nothing(client, pending):
    body = event_body(pending)
    first = post(client, body, signed_headers("sandbox_wallet", body))
    before = payment_world(pending)
    # The provider retries the same event later, signed afresh.
    again = post(client, body, signed_headers("sandbox_wallet", body, timestamp=int(time.time()) + 5))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert payment_world(pending) == before


def test_the_same_event_id_with_another_body_still_answers_the_first_result(client, pending):
    body = event_body(pending)
    first = post(client, body, signed_headers("sandbox_wallet", body)).json()
    declined = event_body(pending, event_type="payment.declined", status="declined")
    again = post(client, declined, signed_headers("sandbox_wallet", declined))
    assert again.json() == first
    pending.refresh_from_db()
    assert pending.state == Payment.State.AUTHORISED


def test_a_late_authorisation_after_capture_changes_nothing(client):
    payment = pf.captured()
    body = event_body(payment, event_id="evt_late")
    response = post(client, body, signed_headers("sandbox_wallet", body))
    assert response.json()["state"] == "captured"
    payment.refresh_from_db()
    assert payment.state == Payment.State.CAPTURED


def test_a_webhook_for_a_payment_we_do_not_know_is_acknowledged_and_ignored(client, pending):
    body = json.dumps(
        {
            "id": "evt_x",
            "type": "payment.authorised",
            "data": {**json.loads(event_body(pending))["data"], "charge_id": "wal_other", "merchant_reference": "nope"},
        }
    ).encode()
    response = post(client, body, signed_headers("sandbox_wallet", body))
    assert response.status_code == 200
    assert response.json() == {"event": "evt_x", "outcome": "ignored", "detail": "no such payment"}


def test_a_refund_made_at_the_provider_directly_is_recorded_from_its_webhook(client):
    payment = pf.captured(amount="80.00")
    body = event_body(
        payment,
        event_type="payment.refunded",
        event_id="evt_dashboard_refund",
        status="captured",
        captured_amount="80.00",
        refunded_amount="25.00",
        refund={"id": "ref_dashboard", "amount": "25.00"},
    )
    assert post(client, body, signed_headers("sandbox_wallet", body)).status_code == 200
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == ("partially_refunded", 25)
    assert pf.ledger_postings(f"payment:{payment.token}:refund:1")["psp_clearing"] == -25


def test_an_unknown_provider_gets_404(client):
    response = post(client, b"{}", {}, url="/payments/webhooks/nobody/")
    assert (response.status_code, response.json()["code"]) == (404, "unknown_provider")


def test_the_endpoint_takes_posts_only(client):
    assert client.get(URL).status_code == 405


def test_the_endpoint_needs_no_csrf_token(pending):
    client = Client(enforce_csrf_checks=True)
    body = event_body(pending)
    assert post(client, body, signed_headers("sandbox_wallet", body)).status_code == 200
