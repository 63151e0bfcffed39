"""Steps of the account flows as a shopper's browser takes them (the test client)."""

import re

from django.core import mail

from accounts import sms

PASSWORD = "a-Strong-pass-42"


def last_code(outbox=None):
    """The code in the latest text message."""
    message = (outbox or sms.outbox)[-1]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def confirmation_link(message):
    return re.search(r"https?://[^/\s]+(/\S*?account/confirm-email/[^/\s]+/)", message.body).group(1)


def sign_up_by_email(client, email, *, prefix="/en", password=PASSWORD):
    response = client.post(f"{prefix}/account/signup/", {"email": email, "password1": password, "password2": password})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return response


def verify_email(client, message):
    link = confirmation_link(message)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302, response.content.decode()[-2000:]
    return response


def sign_up_by_phone(client, phone, *, prefix="/en", password=PASSWORD, email=""):
    response = client.post(f"{prefix}/account/signup/", {"phone": phone, "email": email, "password1": password})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return response


def enter_code(client, code, *, prefix="/en"):
    return client.post(f"{prefix}/account/phone/verify/", {"code": code})


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]
