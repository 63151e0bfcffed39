"""Production loads crossborder/settings.py: shopper accounts must be wired there (allauth, its
middleware, our adapter and the real SMS backend), not only in the test settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
from accounts import sms
print(json.dumps({
    "apps": settings.INSTALLED_APPS,
    "middleware": settings.MIDDLEWARE,
    "backends": settings.AUTHENTICATION_BACKENDS,
    "adapter": settings.ACCOUNT_ADAPTER,
    "sms": settings.SMS_BACKEND,
    "sms_class": type(sms.get_backend()).__name__,
    "login_methods": sorted(settings.ACCOUNT_LOGIN_METHODS),
    "signup_fields": settings.ACCOUNT_SIGNUP_FIELDS,
    "verification": settings.ACCOUNT_EMAIL_VERIFICATION,
    "login_url": settings.LOGIN_URL,
    "rate_limits": settings.ACCOUNT_RATE_LIMITS,
}))
"""


def production_settings(tmp_path, country):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crossborder.settings",
        "CROSSBORDER_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "CROSSBORDER_FIELD_ENCRYPTION_KEY": "n6p3rZ3kqQb0y6m3o7Jw0v2oHq9kz8Yc1GmQ0m2Yx0A=",
        "CROSSBORDER_COUNTRY": country,
        "CROSSBORDER_DATA_DIR": str(tmp_path),
    }
    env.pop("CROSSBORDER_SMS_BACKEND", None)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_wires_allauth_with_the_real_sms_backend(tmp_path):
    loaded = production_settings(tmp_path, "CN")
    assert {"allauth", "allauth.account", "accounts"} <= set(loaded["apps"])
    assert "allauth.account.middleware.AccountMiddleware" in loaded["middleware"]
    assert "accounts.middleware.RateLimitedMiddleware" in loaded["middleware"]
    assert "allauth.account.auth_backends.AuthenticationBackend" in loaded["backends"]
    assert loaded["adapter"] == "accounts.adapter.AccountAdapter"
    assert loaded["sms"] == "accounts.sms.FileBackend" and loaded["sms_class"] == "FileBackend"
    assert loaded["login_methods"] == ["email", "phone"] and loaded["signup_fields"][0] == "phone*"
    assert loaded["login_url"] == "account_login"
    assert "verify_phone" in loaded["rate_limits"]


def test_production_elsewhere_signs_up_by_verified_email(tmp_path):
    loaded = production_settings(tmp_path, "US")
    assert loaded["login_methods"] == ["email"] and loaded["signup_fields"][0] == "email*"
    assert loaded["verification"] == "mandatory"


def test_the_file_sms_backend_writes_the_message_under_the_data_dir(tmp_path, settings):
    from accounts import sms

    settings.SMS_BACKEND = "accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    assert sms.send_text("+8613800138000", "code 123456") == 1
    (written,) = (tmp_path / "sms").iterdir()
    assert "code 123456" in written.read_text() and "+8613800138000" in written.read_text()
