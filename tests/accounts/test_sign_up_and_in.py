"""Shoppers sign up, verify, sign in and out, reset their password, by e-mail (platforms where the
e-mail address comes first) and by phone with a code sent as a text message (China)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

from accounts.models import Profile

from .helpers import PASSWORD, enter_code, last_code, mails_to, sign_up_by_email, sign_up_by_phone, verify_email

pytestmark = pytest.mark.django_db
User = get_user_model()


def signed_in(client):
    return "_auth_user_id" in client.session


# --- e-mail first ----------------------------------------------------------------------------------


def test_email_sign_up_sends_a_verification_in_the_shoppers_language_and_signs_in_once_verified(client, email_first):
    response = sign_up_by_email(client, "ana@example.com", prefix="")  # the platform's default: Chinese
    assert response["Location"] == "/account/confirm-email/"
    assert not signed_in(client)  # mandatory verification: not before the address is proved
    (message,) = mails_to("ana@example.com")
    assert "请确认" in message.subject or "确认" in message.body  # Chinese, the language signed up in
    response = verify_email(client, message)
    assert signed_in(client)
    assert EmailAddress.objects.get(email="ana@example.com").verified
    user = User.objects.get(email="ana@example.com")
    assert not user.is_staff and not user.is_superuser


def test_sign_out_and_sign_in_again_with_the_password(client, email_first):
    sign_up_by_email(client, "ben@example.com")
    verify_email(client, mails_to("ben@example.com")[-1])
    client.post("/en/account/logout/")
    assert not signed_in(client)
    response = client.post("/en/account/login/", {"login": "ben@example.com", "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)


def test_a_wrong_password_is_refused_and_says_so(client, email_first):
    sign_up_by_email(client, "cat@example.com")
    verify_email(client, mails_to("cat@example.com")[-1])
    client.post("/en/account/logout/")
    response = client.post("/en/account/login/", {"login": "cat@example.com", "password": "not-the-password"})
    assert response.status_code == 200 and not signed_in(client)
    assert "not correct" in response.content.decode()


def test_sign_up_with_an_address_in_use_is_answered_as_any_sign_up_and_its_owner_is_told(client, email_first):
    sign_up_by_email(client, "dan@example.com")
    mail.outbox.clear()
    cache.clear()  # later than the cooldown between two e-mails to one address
    other = client.__class__()
    response = sign_up_by_email(other, "DAN@example.com")
    assert response["Location"] == "/en/account/confirm-email/"  # the same answer as a new address gets
    assert User.objects.filter(email__iexact="dan@example.com").count() == 1  # nothing created
    (message,) = mails_to("DAN@example.com") or mails_to("dan@example.com")
    assert "already" in message.body  # the address's owner learns that someone tried, nobody else


def test_password_reset_answers_the_same_for_an_unknown_address(client, email_first):
    sign_up_by_email(client, "eve@example.com")
    verify_email(client, mails_to("eve@example.com")[-1])
    mail.outbox.clear()
    first, second = client.__class__(), client.__class__()
    known = first.post("/en/account/password/reset/", {"email": "eve@example.com"})
    unknown = second.post("/en/account/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert first.get(known["Location"]).content == second.get(unknown["Location"]).content
    assert "/account/password/reset/key/" in mails_to("eve@example.com")[0].body
    assert "/account/password/reset/key/" not in mails_to("nobody@example.com")[0].body


def test_password_reset_link_sets_a_new_password(client, email_first):
    import re

    sign_up_by_email(client, "fay@example.com")
    verify_email(client, mails_to("fay@example.com")[-1])
    client.post("/en/account/logout/")
    client.post("/en/account/password/reset/", {"email": "fay@example.com"})
    link = re.search(
        r"https?://[^/\s]+(/\S*?account/password/reset/key/[^/\s]+/)", mails_to("fay@example.com")[-1].body
    ).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": "another-Pass-77", "password2": "another-Pass-77"})
    assert response.status_code == 302
    assert client.login(email="fay@example.com", password="another-Pass-77") or User.objects.get(
        email="fay@example.com"
    ).check_password("another-Pass-77")


# --- phone first (China) ---------------------------------------------------------------------------------


def test_phone_sign_up_sends_a_code_by_text_and_signs_in_with_it(client, _texts):
    response = sign_up_by_phone(client, "138 0013 8000")
    assert response["Location"] == "/en/account/phone/verify/"
    (message,) = _texts
    assert message.to == "+8613800138000"  # kept in E.164
    response = enter_code(client, last_code())
    assert response.status_code == 302 and signed_in(client)
    profile = Profile.objects.get(phone="+8613800138000")
    assert profile.phone_verified


def test_a_phone_number_that_is_not_one_is_refused_with_the_reason(client, _texts):
    response = client.post("/en/account/signup/", {"phone": "12345", "password1": PASSWORD})
    assert response.status_code == 200
    assert "is not a valid phone number" in response.content.decode()
    assert not _texts and not User.objects.exists()


def test_a_wrong_code_is_refused_and_three_wrong_codes_void_it(client, _texts):
    sign_up_by_phone(client, "13800138001")
    right = last_code()
    wrong = "000000" if right != "000000" else "111111"
    response = enter_code(client, wrong)
    assert response.status_code == 200 and not signed_in(client)
    assert "Incorrect code" in response.content.decode()
    enter_code(client, wrong)
    enter_code(client, wrong)
    response = enter_code(client, right)  # too late: the code is void after three wrong tries
    assert not signed_in(client)
    assert not Profile.objects.filter(phone="+8613800138001", phone_verified=True).exists()


def test_an_expired_code_is_refused(client, _texts, settings):
    sign_up_by_phone(client, "13800138002")
    code = last_code()
    settings.ACCOUNT_PHONE_VERIFICATION_TIMEOUT = -1  # every code sent is past its time
    response = enter_code(client, code)
    assert not signed_in(client)
    assert response.status_code in (200, 302)
    assert not Profile.objects.filter(phone="+8613800138002", phone_verified=True).exists()


def test_asking_for_codes_again_and_again_is_throttled(client, _texts):
    sign_up_by_phone(client, "13800138003")
    assert len(_texts) == 1
    response = client.post("/en/account/phone/verify/", {"action": "resend"}, follow=True)
    assert len(_texts) == 1  # no second text within the minute
    assert "you are sending too many requests" in response.content.decode()
    other = client.__class__()  # nor by starting over in another browser
    response = other.post("/en/account/signup/", {"phone": "13800138003", "password1": PASSWORD})
    assert response.status_code == 429 and "Too many requests" in response.content.decode()
    assert len(_texts) == 1


def test_sign_up_with_a_phone_in_use_creates_nothing_and_tells_the_phone(client, _texts):
    sign_up_by_phone(client, "13800138004")
    enter_code(client, last_code())
    other = client.__class__()
    response = other.post("/en/account/signup/", {"phone": "+86 138 0013 8004", "password1": PASSWORD})
    assert response.status_code == 429  # within the minute of the last code: throttled
    cache.clear()  # a minute later
    response = other.post("/en/account/signup/", {"phone": "+86 138 0013 8004", "password1": PASSWORD})
    assert response.status_code == 302  # answered as any sign-up: no one learns the number is ours
    assert Profile.objects.filter(phone="+8613800138004").count() == 1
    assert "already has an account" in _texts[-1].body


@pytest.mark.parametrize("typed", ["139 0013 9001", "13900139001", "+86 139-0013-9001"])
def test_sign_in_by_phone_and_password_however_the_number_is_typed(client, _texts, typed):
    sign_up_by_phone(client, "+8613900139001")
    enter_code(client, last_code())
    client.post("/en/account/logout/")
    response = client.post("/en/account/login/", {"login": typed, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[-1500:]
    assert signed_in(client)


def test_sign_in_by_phone_with_a_code(client, _texts):
    sign_up_by_phone(client, "13800138005")
    enter_code(client, last_code())
    client.post("/en/account/logout/")
    response = client.post("/en/account/login/code/", {"phone": "138 0013 8005"})
    assert response.status_code == 302, response.content.decode()[-1500:]
    response = client.post(response["Location"], {"code": last_code()})
    assert signed_in(client)


def test_a_sign_in_code_for_an_unknown_number_is_answered_alike_and_texts_the_number(client, _texts):
    response = client.post("/en/account/login/code/", {"phone": "13800138099"})
    assert response.status_code == 302
    assert "no account has it" in _texts[-1].body and not signed_in(client)
