"""Signed webhooks whose content is wrong: an amount that is not a number (NaN, Infinity, 1e400 as a
JSON float), negative, huge, with more decimals than the currency, or not the payment's amount or
currency; a body nested too deeply. Each is answered 4xx naming the field and changes nothing, and
the genuine news that follows still authorises, captures and posts to the ledger."""

import json

import pytest

from payments.models import Payment, PaymentTransition, Posting, ProviderCall, WebhookReceipt
from payments.providers.sandbox import SandboxWallet
from payments.providers.services import payment as payments

from . import payment_factories as pf
from .payment_factories import event_body, sandbox_webhooks_through_test_client, signed_headers  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/payments/webhooks/sandbox_wallet/"


def post(client, body, provider="sandbox_wallet"):
    return client.post(
        f"/payments/webhooks/{provider}/",
        data=body,
        content_type="application/json",
        headers=signed_headers(provider, body),
    )


def everything(payment):
    """Every row a webhook could write, and the payment's own columns."""
    return {
        **pf.payment_world(payment),
        "postings": Posting.objects.count(),
        "row": Payment.objects.filter(pk=payment.pk).values().get(),
        "transitions_of_payment": list(PaymentTransition.objects.filter(payment=payment).values()),
        "calls_of_payment": list(ProviderCall.objects.filter(payment=payment).values()),
    }


def raw_event(payment, *, event_type="payment.authorised", status="authorised", **literals):
    """An event body with some data values written as raw JSON (NaN, Infinity, 1e400 are JSON
    literals that Python's reader would otherwise take)."""
    data = json.loads(event_body(payment, status=status))["data"]
    placeholders = {name: f"@@{name}@@" for name in literals}
    body = json.dumps({"id": "evt_bad", "type": event_type, "created": 0, "data": {**data, **placeholders}})
    for name, literal in literals.items():
        body = body.replace(f'"@@{name}@@"', literal)
    return body.encode()


# (data field, its raw JSON value, expected status, expected field in the answer)
BAD_AUTHORISATIONS = [
    ("authorised_amount", "NaN", 400, "data.authorised_amount"),
    ("authorised_amount", "Infinity", 400, "data.authorised_amount"),
    ("authorised_amount", "-Infinity", 400, "data.authorised_amount"),
    ("authorised_amount", "1e400", 400, "data.authorised_amount"),
    ("authorised_amount", '"NaN"', 400, "data.authorised_amount"),
    ("authorised_amount", '"sNaN"', 400, "data.authorised_amount"),
    ("authorised_amount", '"Infinity"', 400, "data.authorised_amount"),
    ("authorised_amount", '"-5.00"', 400, "data.authorised_amount"),
    ("authorised_amount", "120.5", 400, "data.authorised_amount"),  # a float: never an amount
    ("authorised_amount", "true", 400, "data.authorised_amount"),
    ("authorised_amount", '"1e400"', 409, "authorised_amount"),
    ("authorised_amount", '"99999999999999999999999.00"', 409, "authorised_amount"),
    ("authorised_amount", '"120.001"', 409, "authorised_amount"),
    ("authorised_amount", '"100.00"', 409, "authorised_amount"),
    ("authorised_amount", '"0.01"', 409, "authorised_amount"),
    ("amount", '"100.00"', 409, "amount"),
    ("amount", "NaN", 400, "data.amount"),
    ("currency", '"USD"', 409, "currency"),
    ("captured_amount", '"150.00"', 409, "captured_amount"),
    ("refunded_amount", '"-1"', 400, "data.refunded_amount"),
]


@pytest.mark.parametrize(("name", "literal", "status", "field"), BAD_AUTHORISATIONS)
def test_a_signed_authorisation_with_a_bad_amount_is_refused_and_the_genuine_one_still_applies(
    client, name, literal, status, field
):
    payment = pf.start("sandbox_wallet")
    before = everything(payment)

    response = post(client, raw_event(payment, **{name: literal}))

    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert response.json()["code"] in ("invalid_payload", "webhook_amount_mismatch")
    assert everything(payment) == before
    # The shopper really approves, the money is captured and posted once, for the payment's amount.
    pf.approve(payment)
    assert payment.state == Payment.State.AUTHORISED
    captured = payments.capture_payment(payment=payment)
    assert (captured.state, captured.captured_amount) == (Payment.State.CAPTURED, payment.amount)
    assert pf.ledger_postings(f"payment:{payment.token}:capture")["psp_clearing"] == payment.amount


@pytest.mark.parametrize(
    ("captured_amount", "status", "field"),
    [("NaN", 400, "data.captured_amount"), ('"60.00"', 409, "captured_amount"), ('"1e400"', 409, "captured_amount")],
)
def test_a_signed_capture_with_a_bad_amount_leaves_the_genuine_capture_possible(client, captured_amount, status, field):
    payment = pf.authorised("sandbox_wallet")
    before = everything(payment)

    response = post(
        client, raw_event(payment, event_type="payment.captured", status="captured", captured_amount=captured_amount)
    )

    assert (response.status_code, response.json()["field"]) == (status, field)
    assert everything(payment) == before
    captured = payments.capture_payment(payment=payment)
    assert (captured.state, captured.captured_amount) == (Payment.State.CAPTURED, payment.amount)
    assert pf.charge_of(payment).status == "captured"
    assert pf.ledger_postings(f"payment:{payment.token}:capture")["psp_clearing"] == payment.amount


@pytest.mark.parametrize(
    ("refund", "status", "field"),
    [
        ({"id": "ref_1", "amount": "NaN"}, 400, "data.refund.amount"),
        ({"id": "ref_1", "amount": "-5.00"}, 400, "data.refund.amount"),
        ({"id": "ref_1", "amount": "0"}, 409, "refund_amount"),
        ({"id": "ref_1", "amount": "500.00"}, 409, "refund_amount"),
    ],
)
def test_a_signed_refund_with_a_bad_amount_is_refused_and_changes_nothing(client, refund, status, field):
    payment = pf.captured("sandbox_wallet")
    before = everything(payment)
    body = event_body(
        payment,
        event_type="payment.refunded",
        event_id="evt_bad_refund",
        status="captured",
        captured_amount=str(payment.amount),
        refund=refund,
    )

    response = post(client, body)

    assert (response.status_code, response.json()["field"]) == (status, field)
    assert everything(payment) == before
    refunded = payments.refund_payment(payment=payment, amount="20.00")
    assert (refunded.state, refunded.refunded_amount) == (Payment.State.PARTIALLY_REFUNDED, 20)


def test_a_refund_webhook_for_more_than_is_left_is_refused(client):
    payment = pf.captured("sandbox_wallet", amount="80.00")
    payments.refund_payment(payment=payment, amount="70.00")
    before = everything(payment)
    body = event_body(
        payment,
        event_type="payment.refunded",
        event_id="evt_dashboard_refund",
        status="captured",
        captured_amount="80.00",
        refunded_amount="80.00",
        refund={"id": "ref_dashboard", "amount": "30.00"},
    )

    response = post(client, body)

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        409,
        "webhook_amount_mismatch",
        "refund_amount",
    )
    assert everything(payment) == before


def test_a_signed_webhook_nested_too_deeply_is_a_400_and_changes_nothing(client):
    payment = pf.start("sandbox_wallet")
    before = everything(payment)
    body = b'{"id": "evt_deep", "type": "payment.authorised", "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    response = post(client, body)

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "invalid_payload",
        "body",
    )
    assert everything(payment) == before


class TrustingJsonWallet(SandboxWallet):
    """A provider whose parser lets the JSON reader's own errors escape (as an SDK's might)."""

    def parse_webhook(self, headers, body, *, now=None):
        json.loads(body)
        raise AssertionError("the body above is never readable")


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe not json"])
def test_the_webhook_view_answers_400_when_a_providers_parser_cannot_read_the_body(client, settings, body):
    settings.PAYMENT_PROVIDERS = {
        **settings.PAYMENT_PROVIDERS,
        "trusting": {"CLASS": f"{__name__}.TrustingJsonWallet", "WEBHOOK_SECRET": "trusting-secret-0123456789"},
    }
    before = pf.payment_world()

    response = client.post("/payments/webhooks/trusting/", data=body, content_type="application/json")

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "invalid_payload",
        "body",
    )
    assert pf.payment_world() == before
    assert WebhookReceipt.objects.count() == 0


def test_a_webhook_for_a_provider_configured_without_a_secret_is_refused(client, settings):
    settings.PAYMENT_PROVIDERS = {
        **settings.PAYMENT_PROVIDERS,
        "sandbox_wallet": {**settings.PAYMENT_PROVIDERS["sandbox_wallet"], "WEBHOOK_SECRET": ""},
    }
    payment = pf.start("sandbox_wallet")
    before = everything(payment)
    body = event_body(payment)

    response = post(client, body)  # signed with the empty secret, as anyone could

    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")
    assert everything(payment) == before
