"""Fuzz of the payment providers' webhooks: correctly signed events with one hostile change (a
hostile value in any field, deep nesting, NaN). The class under test: never a server error, and a
refused event (4xx) changes no row of any table. What an accepted event may change (amounts) is
the payment service's rule, pinned in tests/payments/test_webhooks.py."""

import itertools
import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.payments.payment_factories import sandbox_webhooks_through_test_client, signed_headers, start  # noqa: F401

from . import hostile
from .support import changed, error_body, fixed, row_counts

pytestmark = pytest.mark.django_db
URL = "/payments/webhooks/sandbox_wallet/"


def event(payment, event_id):
    data = {
        "charge_id": payment.provider_payment_id,
        "merchant_reference": payment.token,
        "status": "authorised",
        "amount": str(payment.amount),
        "currency": payment.currency,
        "authorised_amount": str(payment.amount),
        "captured_amount": "0",
        "refunded_amount": "0",
    }
    return {"id": event_id, "type": "payment.authorised", "created": 0, "data": data}


def test_signed_hostile_webhooks_are_never_a_server_error_and_a_refusal_changes_nothing():
    payment = start("sandbox_wallet")
    client = Client()
    ids = itertools.count(1)

    @fixed(60)
    @given(data=st.data())
    def run(data):
        body = data.draw(hostile.mutated_json_body(event(payment, f"evt_fuzz_{next(ids)}")))
        before = row_counts()
        response = client.post(
            URL, data=body, content_type="application/json", headers=signed_headers("sandbox_wallet", body)
        )
        described = f"{body[:300]!r}"
        assert response.status_code < 500, described
        if response.status_code >= 400:
            assert not changed(before, row_counts()), described
            assert error_body(response) is not None, described

    run()


def test_a_signed_webhook_nested_too_deep_is_a_400_naming_nothing_changed():
    payment = start("sandbox_wallet")
    body = json.dumps(event(payment, "evt_deep")).replace('"created": 0', '"created": ' + hostile.nested(100_000))
    body = body.encode()
    before = row_counts()
    response = Client().post(
        URL, data=body, content_type="application/json", headers=signed_headers("sandbox_wallet", body)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert not changed(before, row_counts())
