import pytest

from accounts import sms


@pytest.fixture(autouse=True)
def _texts(settings):
    """Text messages collect in accounts.sms.outbox (the test backend), empty for each test."""
    settings.SMS_BACKEND = "accounts.sms.LocMemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def email_first(settings):
    """A platform where the e-mail address comes first (the us settings' account part)."""
    settings.ACCOUNTS_PHONE_FIRST = False
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.ACCOUNT_LOGIN_METHODS = {"email"}
    settings.ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
    return settings
