"""Production takes real money only: with CROSSBORDER_ENV=production the sandbox providers are not
configured (unless a staging deployment asks, with secrets of its own), their pages are not routed
and their webhook beat is not scheduled, and the system checks (crossborder.E010, E020-E025) stop
`check`, `check --deploy`, the web server and Celery while a sandbox, an empty or development secret,
or no usable provider is configured. The processes run with the environment production uses."""

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.urls import resolve, reverse

from payments.providers import checks as payment_checks
from payments.providers.views import sandbox_wallet

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# A real provider registered the way the README tells an operator to: in a settings module, with its
# secret from the environment. Its class is a stand-in: the checks only load it.
REAL_PROVIDER_SETTINGS = """
from crossborder.settings import *  # noqa: F403
from crossborder.settings import env


class AcmePay:
    code = "acmepay"
    name = "AcmePay"

    def __init__(self, *, code=None, options=None):
        self.code = code or self.code


PAYMENT_PROVIDERS = {
    **PAYMENT_PROVIDERS,
    "acmepay": {"CLASS": "deploy_settings.AcmePay", "WEBHOOK_SECRET": env("ACMEPAY_WEBHOOK_SECRET")},
}
"""


def production_env(tmp_path, **extra):
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "crossborder.settings",
        "CROSSBORDER_ENV": "production",
        "DJANGO_SECRET_KEY": "x7!" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "cn.example.com,testserver",
        "CROSSBORDER_BASE_URL": "https://cn.example.com",
        "CROSSBORDER_DATA_DIR": str(tmp_path),
        "CROSSBORDER_FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        **extra,
    }


def with_a_real_provider(tmp_path, body=REAL_PROVIDER_SETTINGS, **extra):
    """Production settings plus a settings module in tmp_path that registers a real provider."""
    (tmp_path / "deploy_settings.py").write_text(textwrap.dedent(body))
    provider = {
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "deploy_settings",
        "ACMEPAY_WEBHOOK_SECRET": "whsec_" + uuid.uuid4().hex,
        "CROSSBORDER_PAYMENT_PROVIDER": "acmepay",
    }
    return production_env(tmp_path, **{**provider, **extra})


def run(args, env):
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def check(env, *extra):
    result = run([PYTHON, "manage.py", "check", *extra], env)
    return result.returncode, result.stdout + result.stderr


# --- the checks, through manage.py -----------------------------------------------------------------


def test_production_without_a_real_provider_offers_no_sandbox_and_fails_the_checks(tmp_path):
    code, output = check(production_env(tmp_path))
    assert code != 0
    assert "crossborder.E024" in output and "No payment provider is configured" in output
    assert "sandbox" not in output


def test_a_staging_sandbox_with_the_development_secret_fails_check_deploy(tmp_path):
    env = production_env(
        tmp_path,
        CROSSBORDER_STAGING_SANDBOX_PAYMENTS="true",
        CROSSBORDER_SANDBOX_WALLET_WEBHOOK_SECRET="dev-sandbox-wallet-webhook-secret",
        CROSSBORDER_SANDBOX_CARD_WEBHOOK_SECRET="staging-" + uuid.uuid4().hex,
    )
    code, output = check(env, "--deploy")
    assert code != 0
    assert "(crossborder.E022) PAYMENT_PROVIDERS['sandbox_wallet']['WEBHOOK_SECRET']" in output
    assert "sandbox_card']['WEBHOOK_SECRET']" not in output
    assert "crossborder.W020" in output  # staging: the sandboxes take no money


def test_a_staging_sandbox_without_secrets_fails_the_checks(tmp_path):
    code, output = check(production_env(tmp_path, CROSSBORDER_STAGING_SANDBOX_PAYMENTS="true"))
    assert code != 0
    assert output.count("crossborder.E021") == 2


def test_a_staging_sandbox_with_secrets_of_its_own_passes_with_a_warning(tmp_path):
    env = production_env(
        tmp_path,
        CROSSBORDER_STAGING_SANDBOX_PAYMENTS="true",
        CROSSBORDER_SANDBOX_WALLET_WEBHOOK_SECRET="staging-" + uuid.uuid4().hex,
        CROSSBORDER_SANDBOX_CARD_WEBHOOK_SECRET="staging-" + uuid.uuid4().hex,
    )
    code, output = check(env)
    assert code == 0, output
    assert "crossborder.W020" in output and "Error" not in output


def test_sandbox_providers_registered_in_production_settings_fail_the_checks(tmp_path):
    body = REAL_PROVIDER_SETTINGS + textwrap.dedent(
        """
        PAYMENT_PROVIDERS["sandbox_wallet"] = {
            "CLASS": "payments.providers.sandbox.SandboxWallet",
            "WEBHOOK_SECRET": "a-long-secret-of-its-own-" + "7" * 20,
        }
        """
    )
    code, output = check(with_a_real_provider(tmp_path, body))
    assert code != 0
    assert "(crossborder.E020) Sandbox payment providers are configured in production: sandbox_wallet" in output


def test_a_default_secret_key_or_a_missing_default_provider_fails_the_checks(tmp_path):
    env = with_a_real_provider(
        tmp_path, DJANGO_SECRET_KEY="build-only-not-secret", CROSSBORDER_PAYMENT_PROVIDER="sandbox_card"
    )
    code, output = check(env)
    assert code != 0
    assert "crossborder.E010" in output
    assert "(crossborder.E023) The default payment provider 'sandbox_card'" in output


def test_check_deploy_is_clean_with_a_real_provider_configured(tmp_path):
    result = run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        with_a_real_provider(tmp_path, DJANGO_SECURE_SSL_REDIRECT="true"),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


# --- what is routed and scheduled -------------------------------------------------------------------

ROUTES = """
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from django.test.utils import override_settings

paths = ("/pay/sandbox/wallet/wal_abc/", "/pay/sandbox/card/card_abc/", "/en/pay/sandbox/wallet/wal_abc/", "/pay/tok/")
for path in paths:
    try:
        resolve(path)
        print(path, "routed")
    except Resolver404:
        print(path, "not routed")
# The 404 page links the storefront's CSS: no collected manifest here, so plain static storage.
plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain):
    print("sandbox GET", Client().get("/pay/sandbox/wallet/wal_abc/").status_code)
    print("sandbox POST", Client().post("/pay/sandbox/card/card_abc/", {"decision": "approve"}).status_code)
print("retry beat", "payments-retry-sandbox-webhooks" in settings.CELERY_BEAT_SCHEDULE)
# The attack: a webhook signed with the sandbox's public development secret.
from payments.providers import signing

body = b'{"id": "evt_1", "type": "payment.captured", "data": {}}'
signature = signing.sign("dev-sandbox-wallet-webhook-secret", body)
webhook = Client().post(
    "/payments/webhooks/sandbox_wallet/", body, content_type="application/json", headers={"Payment-Signature": signature}
)
print("sandbox webhook", webhook.status_code, webhook.json()["code"])
"""


def test_in_production_the_sandbox_pages_webhooks_and_beat_are_gone(tmp_path):
    result = run([PYTHON, "-c", ROUTES], with_a_real_provider(tmp_path, DJANGO_SECURE_SSL_REDIRECT="false"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "/pay/sandbox/wallet/wal_abc/ not routed",
        "/pay/sandbox/card/card_abc/ not routed",
        "/en/pay/sandbox/wallet/wal_abc/ not routed",
        "/pay/tok/ routed",
        "sandbox GET 404",
        "sandbox POST 404",
        "retry beat False",
        "sandbox webhook 404 unknown_provider",
    ]


def test_outside_production_the_sandbox_pages_are_routed(settings):
    assert resolve(reverse("payments:sandbox-wallet", kwargs={"charge_id": "wal_abc"})).func is sandbox_wallet
    assert "payments-retry-sandbox-webhooks" in settings.CELERY_BEAT_SCHEDULE


# --- the processes that do not run Django's checks themselves refuse to start ---------------------


def test_the_wsgi_application_refuses_to_load_with_a_check_error(tmp_path):
    result = run([PYTHON, "-c", "import crossborder.wsgi"], production_env(tmp_path))
    assert result.returncode != 0
    assert "The web server refuses to start" in result.stderr and "crossborder.E024" in result.stderr


def test_the_wsgi_application_loads_with_a_real_provider(tmp_path):
    result = run([PYTHON, "-c", "import crossborder.wsgi"], with_a_real_provider(tmp_path))
    assert result.returncode == 0, result.stderr


def test_celery_beat_refuses_to_start_with_a_check_error(tmp_path):
    celery = str(Path(PYTHON).with_name("celery"))
    env = production_env(tmp_path, CELERY_BROKER_URL="memory://")
    result = run([celery, "-A", "crossborder", "beat", "--schedule", str(tmp_path / "beat")], env)
    assert result.returncode != 0
    assert "Celery beat refuses to start" in result.stdout + result.stderr
    assert "crossborder.E024" in result.stdout + result.stderr


def test_the_celery_worker_refuses_to_start_with_a_check_error(tmp_path):
    celery = str(Path(PYTHON).with_name("celery"))
    env = production_env(tmp_path, CELERY_BROKER_URL="memory://", CROSSBORDER_STAGING_SANDBOX_PAYMENTS="true")
    result = run([celery, "-A", "crossborder", "worker", "--pool", "solo"], env)
    assert result.returncode != 0
    assert "The Celery worker refuses to start" in result.stdout + result.stderr
    assert "crossborder.E021" in result.stdout + result.stderr


# --- the checks in detail, on the settings object ----------------------------------------------------


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    settings.SANDBOX_PAYMENTS = False
    settings.PAYMENT_OPTIONS = {**settings.PAYMENT_OPTIONS, "DEFAULT_PROVIDER": "acmepay"}
    return settings


class AcmePay:
    """A real provider's stand-in: the checks only load the class."""


ACME = {"CLASS": f"{__name__}.AcmePay", "WEBHOOK_SECRET": "whsec_" + "k" * 32}


def ids(messages):
    return sorted(message.id for message in messages)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"WEBHOOK_SECRET": None}, ["crossborder.E021"]),
        ({"WEBHOOK_SECRET": ""}, ["crossborder.E021"]),
        ({"WEBHOOK_SECRET": "   "}, ["crossborder.E021"]),
        ({"WEBHOOK_SECRET": "dev-sandbox-card-webhook-secret"}, ["crossborder.E022"]),
        ({"WEBHOOK_SECRET": "changeme"}, ["crossborder.E022"]),
        ({"SECRET_KEY": ""}, ["crossborder.E021"]),
        ({"APP_PRIVATE_KEY": "change-me"}, ["crossborder.E022"]),
        ({"API_TOKEN": "secret"}, ["crossborder.E022"]),
        ({"API_KEY": ""}, ["crossborder.E021"]),
        ({"CLASS": "payments.providers.nowhere.Nothing"}, ["crossborder.E025"]),
    ],
)
def test_every_secret_option_of_every_provider_is_checked(production, options, expected):
    production.PAYMENT_PROVIDERS = {"acmepay": {**ACME, **options}}
    assert ids(payment_checks.check_payment_providers(None)) == expected


def test_a_public_key_option_is_not_taken_for_a_secret(production):
    production.PAYMENT_PROVIDERS = {"acmepay": {**ACME, "ALIPAY_PUBLIC_KEY": "", "API_BASE": ""}}
    assert payment_checks.check_payment_providers(None) == []


def test_the_sandbox_classes_are_refused_under_any_code(production):
    production.PAYMENT_PROVIDERS = {
        "acmepay": ACME,
        "cards": {"CLASS": "payments.providers.sandbox.SandboxCard", "WEBHOOK_SECRET": "whsec_" + "c" * 32},
    }
    assert ids(payment_checks.check_payment_providers(None)) == ["crossborder.E020"]


def test_outside_production_the_provider_checks_are_silent(settings):
    settings.PRODUCTION = False
    assert payment_checks.check_payment_providers(None) == []
