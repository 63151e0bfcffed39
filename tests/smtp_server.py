"""A real SMTP server for tests that read what the platform mailed: aiosmtpd listening on a free
local port, keeping every message it receives (parsed), and the settings that send mail to it."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from crossborder.celery import app as celery_app


class Mailbox:
    """What the server received: one parsed message per recipient envelope, in order."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler name
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def subjects(self):
        return [str(message["Subject"]) for message in self.messages]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def eager_tasks():
    """.delay() runs the task at once, in this process (a notification is sent as its transaction
    commits). Celery read its settings when it started, so the settings fixture cannot change them."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def smtp_server(settings, eager_tasks):
    """The running server's Mailbox; Django sends over SMTP to it for the test."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    mailbox.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield mailbox
    finally:
        controller.stop()
