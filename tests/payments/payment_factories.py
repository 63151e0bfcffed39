"""Helpers for the payment-provider tests: start payments at the sandboxes, deliver the sandboxes'
webhooks through Django's test client (or hold them back), and sign webhook bodies by hand."""

import itertools
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from payments.ledger.services import ledger
from payments.models import Payment, PaymentTransition, ProviderCall, SandboxCharge, WebhookReceipt
from payments.providers import get_provider, signing
from payments.providers.services import payment as payments

_checkouts = itertools.count(1)

# What the sandbox sent: (url, body, headers, status) per delivery attempt.
SENT = []
# When set, deliveries answer this status without reaching the platform (a platform that is down).
OUTAGE = {"status": None}


def deliver_with_test_client(url, body, headers):
    """The sandbox's webhook delivery in tests: a POST through the test client, no network."""
    status = OUTAGE["status"]
    if status is None:
        response = Client().post(
            urlsplit(url).path,
            data=body,
            content_type="application/json",
            headers={k: v for k, v in headers.items() if k.lower() != "content-type"},
        )
        status = response.status_code
    SENT.append((url, body, headers, status))
    return status


@pytest.fixture(autouse=True)
def sandbox_webhooks_through_test_client(settings):
    settings.PAYMENT_OPTIONS = {
        **django_settings.PAYMENT_OPTIONS,
        "SANDBOX_WEBHOOK_DELIVERY": "tests.payments.payment_factories.deliver_with_test_client",
    }
    SENT.clear()
    OUTAGE["status"] = None
    ledger.forget_accounts()
    yield
    ledger.forget_accounts()
    SENT.clear()
    OUTAGE["status"] = None


def start(provider="sandbox_wallet", amount="120.00", currency="CNY", **extra) -> Payment:
    return payments.start_payment(
        checkout_reference=extra.pop("checkout_reference", f"checkout-{next(_checkouts)}"),
        amount=Decimal(amount),
        currency=currency,
        provider=provider,
        **extra,
    )


def approve(payment):
    """The shopper approves at the sandbox (scans and confirms, or passes the challenge)."""
    get_provider(payment.provider).approve(payment.provider_payment_id)
    payment.refresh_from_db()
    return payment


def decline(payment):
    get_provider(payment.provider).decline(payment.provider_payment_id)
    payment.refresh_from_db()
    return payment


def authorised(provider="sandbox_wallet", **extra) -> Payment:
    return approve(start(provider, **extra))


def captured(provider="sandbox_wallet", **extra) -> Payment:
    return payments.capture_payment(payment=authorised(provider, **extra))


def charge_of(payment) -> SandboxCharge:
    return SandboxCharge.objects.get(charge_id=payment.provider_payment_id)


def path_of(url):
    return urlsplit(url).path


def states(payment):
    return [(t.from_state, t.to_state) for t in PaymentTransition.objects.filter(payment=payment).order_by("id")]


def ledger_postings(reference):
    """{account code: amount} of the ledger transaction `reference`."""
    from payments.models import LedgerTransaction

    posted = LedgerTransaction.objects.get(reference=reference)
    return {p.account.code: p.amount for p in posted.postings.select_related("account")}


def payment_world(payment=None):
    """What a refused request must leave unchanged."""
    from payments.models import LedgerTransaction

    world = {
        "transitions": PaymentTransition.objects.count(),
        "calls": ProviderCall.objects.count(),
        "receipts": WebhookReceipt.objects.count(),
        "ledger": LedgerTransaction.objects.count(),
        "payments": Payment.objects.count(),
    }
    if payment is not None:
        fresh = Payment.objects.get(pk=payment.pk)
        world["payment"] = (fresh.state, fresh.authorised_amount, fresh.captured_amount, fresh.refunded_amount)
    return world


def signed_headers(provider_code, body: bytes, *, timestamp=None, secret=None):
    secret = secret if secret is not None else django_settings.PAYMENT_PROVIDERS[provider_code]["WEBHOOK_SECRET"]
    return {signing.SIGNATURE_HEADER: signing.sign(secret, body, timestamp=timestamp)}


def event_body(payment, event_type="payment.authorised", *, event_id="evt_test_1", status="authorised", **data):
    fields = {
        "charge_id": payment.provider_payment_id,
        "merchant_reference": payment.token,
        "status": status,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "authorised_amount": str(payment.amount) if status != "pending" else "0",
        "captured_amount": "0",
        "refunded_amount": "0",
        **data,
    }
    return json.dumps({"id": event_id, "type": event_type, "created": 0, "data": fields}).encode()
