"""The Alipay adapter (face-to-face QR payment), through python-alipay-sdk, against a local stand-in
of Alipay's gateway (tests/payments/standins/alipay_standin.py) with RSA2 key pairs made for the test run:
precreate -> the shopper scans and pays -> signed notification -> captured; refunds partial and
full; cancel; a forged notification refused; a timed-out refund retried with its key done once."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from crossborder.errors import DomainError
from payments.models import Payment, WebhookReceipt
from payments.providers import ProviderError, get_provider
from payments.providers.alipay_provider import decode_id, encode_id
from payments.providers.services import payment as payments

from .payment_factories import payment_world, sandbox_webhooks_through_test_client, start  # noqa: F401
from .standins.fixtures import ALIPAY_APP_ID, ALIPAY_URL, deliver_alipay, post_alipay_notice

pytestmark = pytest.mark.django_db

URL, APP_ID = ALIPAY_URL, ALIPAY_APP_ID


@pytest.fixture
def keys(alipay_keys):
    return alipay_keys


@pytest.fixture
def standin(alipay_standin):
    return alipay_standin


def post_notice(client, body):
    return post_alipay_notice(client, body)


def deliver(client, standin):
    return deliver_alipay(client, standin)


def paid(client, standin, amount="88.00"):
    payment = start("alipay", amount=amount, currency="CNY")
    standin.pay(payment.provider_payment_id)
    deliver(client, standin)
    payment.refresh_from_db()
    return payment


def test_create_shows_alipays_qr_code_for_a_trade_named_after_the_payment(standin):
    payment = start("alipay", amount="88.00", currency="CNY")
    assert payment.state == Payment.State.PENDING
    assert decode_id(payment.provider_payment_id) == payment.token
    assert payment.next_action["kind"] == "qr"
    assert payment.next_action["qr_payload"] == f"{standin.base_url}/qr/{payment.provider_payment_id}"
    trade = standin.trades[payment.provider_payment_id]
    assert trade["total_amount"] == "88.00"
    assert trade["notify_url"] == f"{django_settings.PLATFORM_BASE_URL}{URL}"
    assert payments.refresh_payment(payment=payment).state == Payment.State.PENDING  # not scanned yet


def test_the_whole_flow_paid_is_captured_then_refunded_partly_and_fully(client, standin):
    payment = start("alipay", amount="88.00", currency="CNY")
    standin.pay(payment.provider_payment_id)
    assert deliver(client, standin) == ["TRADE_SUCCESS"]
    payment.refresh_from_db()
    assert (payment.state, payment.captured_amount) == (Payment.State.CAPTURED, Decimal("88.00"))
    capture = get_provider("alipay").capture(
        payment.provider_payment_id, amount=Decimal("88.00"), idempotency_key="unused"
    )
    assert capture.amount == Decimal("88.00")  # nothing moved: Alipay settled it when the shopper paid

    payment = payments.refund_payment(payment=payment, amount=Decimal("30.00"))
    assert (payment.state, payment.refunded_amount) == (Payment.State.PARTIALLY_REFUNDED, Decimal("30.00"))
    assert deliver(client, standin) == ["TRADE_SUCCESS"]  # the refund notice confirms, changes nothing
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("30.00")

    payment = payments.refund_payment(payment=payment)
    assert (payment.state, payment.refunded_amount) == (Payment.State.REFUNDED, Decimal("88.00"))
    assert deliver(client, standin) == ["TRADE_CLOSED"]
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == (Payment.State.REFUNDED, Decimal("88.00"))
    assert standin.done["refund"] == 2 and standin.refused_signatures == 0
    assert [decode_id(no) for _trade, no in standin.refund_requests] == [
        f"{payment.token}:refund:1",
        f"{payment.token}:refund:2",
    ]


def test_polling_catches_up_without_the_notification(client, standin):
    payment = start("alipay", amount="20.00", currency="CNY")
    standin.pay(payment.provider_payment_id)
    standin.take_notices()  # lost
    payment = payments.refresh_payment(payment=payment)
    assert (payment.state, payment.captured_amount) == (Payment.State.CAPTURED, Decimal("20.00"))


def test_cancel_closes_an_unpaid_trade(client, standin):
    payment = payments.cancel_payment(payment=start("alipay", amount="10.00", currency="CNY"))
    assert payment.state == Payment.State.CANCELLED
    assert standin.trades[payment.provider_payment_id]["status"] == "TRADE_CLOSED"


def test_a_forged_or_tampered_notification_is_refused_and_changes_nothing(client, standin):
    payment = start("alipay", amount="88.00", currency="CNY")
    standin.pay(payment.provider_payment_id)
    [(_url, body)] = standin.take_notices()
    before = payment_world(payment)
    fields = dict(parse_qsl(body.decode()))
    response = post_notice(client, urlencode({**fields, "total_amount": "0.01"}))
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"
    response = post_notice(client, urlencode({k: v for k, v in fields.items() if k != "sign"}))
    assert response.status_code == 400 and response.json()["code"] == "signature_missing"
    response = post_notice(client, urlencode({**fields, "sign": "%%%not-base64"}))
    assert response.status_code in (400, 401)
    assert payment_world(payment) == before
    assert WebhookReceipt.objects.count() == 0
    assert post_notice(client, body).content == b"success"
    payment.refresh_from_db()
    assert payment.state == Payment.State.CAPTURED


def test_a_repeated_notification_is_applied_once(client, standin):
    payment = start("alipay", amount="88.00", currency="CNY")
    standin.pay(payment.provider_payment_id)
    [(_url, body)] = standin.take_notices()
    assert post_notice(client, body).content == b"success"
    assert post_notice(client, body).content == b"success"
    assert WebhookReceipt.objects.count() == 1


def test_a_timed_out_refund_retried_with_its_key_is_refunded_once(client, standin):
    payment = paid(client, standin)
    provider = get_provider("alipay")
    standin.delay = 1.5  # longer than the adapter's 1 s timeout: Alipay did it, the answer is lost
    with pytest.raises(ProviderError) as lost:
        provider.refund(payment.provider_payment_id, amount=Decimal("8.00"), idempotency_key="k:refund:1")
    assert lost.value.definitive is False
    standin.delay = 0
    again = provider.refund(payment.provider_payment_id, amount=Decimal("8.00"), idempotency_key="k:refund:1")
    assert again.raw["fund_change"] == "N"  # Alipay's answer to a repeated out_request_no
    assert standin.done["refund"] == 1
    assert standin.trades[payment.provider_payment_id]["refund_fee"] == Decimal("8.00")


def test_alipay_refuses_definitively_what_it_cannot_do(standin):
    provider = get_provider("alipay")
    payment = start("alipay", amount="10.00", currency="CNY")
    with pytest.raises(ProviderError) as unpaid:
        provider.refund(payment.provider_payment_id, amount=Decimal("1.00"), idempotency_key="k")
    assert unpaid.value.definitive is True
    with pytest.raises(ProviderError) as not_paid:
        provider.capture(payment.provider_payment_id, amount=Decimal("10.00"), idempotency_key="k")
    assert not_paid.value.definitive is True
    with pytest.raises(DomainError) as refused:  # face-to-face payments are in CNY
        start("alipay", amount="10.00", currency="USD")
    assert refused.value.code == "provider_declined"
    assert Payment.objects.get(currency="USD").state == Payment.State.FAILED


def test_a_missing_key_file_is_a_configuration_error_naming_the_option(settings, keys):
    settings.PAYMENT_PROVIDERS = {
        **django_settings.PAYMENT_PROVIDERS,
        "alipay": {
            "CLASS": "payments.providers.alipay_provider.AlipayQR",
            "APP_ID": APP_ID,
            "APP_PRIVATE_KEY_FILE": "/nonexistent/app_private.pem",
            "ALIPAY_PUBLIC_KEY_FILE": str(keys["files"]["alipay_public"]),
        },
    }
    with pytest.raises(ImproperlyConfigured, match="APP_PRIVATE_KEY_FILE"):
        get_provider("alipay")


def test_ids_sent_to_alipay_use_only_letters_and_digits_and_read_back():
    for text in ("Ab-_9xYz" * 3, "tok-en_1:refund:12"):
        encoded = encode_id(text)
        assert encoded.isalnum() and len(encoded) <= 64
        assert decode_id(encoded) == text


def test_settings_offer_alipay_when_its_app_id_is_set(keys):
    root = Path(__file__).resolve().parents[2]
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='crossborder.settings'; django.setup();"
        "from django.conf import settings as s; import json; print(json.dumps(s.PAYMENT_PROVIDERS.get('alipay')))"
    )
    env = {
        **os.environ,
        "ALIPAY_APP_ID": APP_ID,
        "ALIPAY_APP_PRIVATE_KEY_FILE": str(keys["files"]["app_private"]),
        "ALIPAY_PUBLIC_KEY_FILE": str(keys["files"]["alipay_public"]),
        "ALIPAY_SANDBOX": "true",
    }
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "CLASS": "payments.providers.alipay_provider.AlipayQR",
        "APP_ID": APP_ID,
        "APP_PRIVATE_KEY_FILE": str(keys["files"]["app_private"]),
        "ALIPAY_PUBLIC_KEY_FILE": str(keys["files"]["alipay_public"]),
        "GATEWAY": "",
        "SANDBOX": True,
    }
