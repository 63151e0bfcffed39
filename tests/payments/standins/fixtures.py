"""Fixtures that start the stand-ins and point the adapters at them, as settings.PAYMENT_PROVIDERS
does in production (with short timeouts and no SDK retries, so a slow stand-in is seen at once), and
helpers that deliver the stand-ins' signed webhooks to the platform through Django's test client."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from Cryptodome.PublicKey import RSA
from django.conf import settings as django_settings

from .alipay_standin import AlipayStandIn
from .stripe_standin import StripeStandIn

STRIPE_URL = "/payments/webhooks/stripe/"
STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET = "sk_test_standin", "whsec_standin"
ALIPAY_URL = "/payments/webhooks/alipay/"
ALIPAY_APP_ID = "2021000000000001"


@pytest.fixture
def stripe_standin(settings):
    with StripeStandIn(secret_key=STRIPE_SECRET_KEY, webhook_secret=STRIPE_WEBHOOK_SECRET) as server:
        settings.PAYMENT_PROVIDERS = {
            **django_settings.PAYMENT_PROVIDERS,
            "stripe": {
                "CLASS": "payments.providers.stripe_provider.StripeCard",
                "SECRET_KEY": STRIPE_SECRET_KEY,
                "WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
                "API_BASE": server.base_url,
                "TIMEOUT": 1,
                "MAX_NETWORK_RETRIES": 0,
            },
        }
        yield server


def deliver_stripe(client, standin):
    """Post the stand-in's queued, signed events to our webhook endpoint, as Stripe would."""
    answers = []
    for payload, headers, kind in standin.take_events():
        response = client.post(STRIPE_URL, data=payload, content_type="application/json", headers=headers)
        assert response.status_code == 200, (kind, response.content)
        answers.append((kind, response.json()))
    return answers


@pytest.fixture(scope="session")
def alipay_keys(tmp_path_factory):
    """An app key pair (ours) and an "Alipay" key pair (the stand-in's), as PEM files."""
    folder = tmp_path_factory.mktemp("alipay_keys")
    app, alipay = RSA.generate(2048), RSA.generate(2048)
    files = {"app_private": folder / "app_private.pem", "alipay_public": folder / "alipay_public.pem"}
    files["app_private"].write_bytes(app.export_key())
    files["alipay_public"].write_bytes(alipay.publickey().export_key())
    return {"files": files, "app_public": app.publickey().export_key(), "alipay_private": alipay.export_key()}


@pytest.fixture
def alipay_standin(settings, alipay_keys):
    with AlipayStandIn(
        app_id=ALIPAY_APP_ID,
        app_public_key_pem=alipay_keys["app_public"],
        alipay_private_key_pem=alipay_keys["alipay_private"],
    ) as server:
        settings.PAYMENT_PROVIDERS = {
            **django_settings.PAYMENT_PROVIDERS,
            "alipay": {
                "CLASS": "payments.providers.alipay_provider.AlipayQR",
                "APP_ID": ALIPAY_APP_ID,
                "APP_PRIVATE_KEY_FILE": str(alipay_keys["files"]["app_private"]),
                "ALIPAY_PUBLIC_KEY_FILE": str(alipay_keys["files"]["alipay_public"]),
                "GATEWAY": f"{server.base_url}/gateway.do",
                "TIMEOUT": 1,
            },
        }
        yield server


def post_alipay_notice(client, body):
    return client.post(ALIPAY_URL, data=body, content_type="application/x-www-form-urlencoded")


def deliver_alipay(client, standin):
    """Post the stand-in's queued notifications to their notify_url; each must be answered "success"."""
    statuses = []
    for notify_url, body in standin.take_notices():
        assert urlsplit(notify_url).path == ALIPAY_URL
        response = post_alipay_notice(client, body)
        assert (response.status_code, response.content) == (200, b"success"), response.content
        statuses.append(dict(parse_qsl(body.decode()))["trade_status"])
    return statuses
