"""Ops' view of notifications: every one listed with its status, attempts and error; a failed one
sent again from the admin (a sent one never twice); and, in the demo, the mails the file backend
wrote, read on a page of their own."""

import pytest
from django.urls import reverse

from crossborder import notifications
from crossborder.models import Notification
from tests.smtp_server import eager_tasks  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_tasks")]


def note(key, **fields):
    return Notification.objects.create(
        key=key, to="ann@example.com", template="selftest", context={"name": "Ann"}, language="en", **fields
    )


def test_the_admin_lists_notifications_with_status_and_error_and_resends_failed_ones_only(
    admin_client, settings, django_assert_max_num_queries
):
    settings.LANGUAGE_CODE = "en"  # the admin speaks the platform's language; these read English
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed = note("selftest:failed", status=Notification.Status.FAILED, attempts=3, last_error="connection refused")
    sent = note("selftest:sent", status=Notification.Status.SENT, attempts=1)
    url = reverse("admin:crossborder_notification_changelist")

    with django_assert_max_num_queries(12):
        page = admin_client.get(url).content.decode()
    assert "connection refused" in page and "failed, will be retried" in page

    admin_client.post(url, {"action": "resend", "_selected_action": [failed.pk, sent.pk]})

    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Notification.Status.SENT, 1, "")
    assert (sent.status, sent.attempts) == (Notification.Status.SENT, 1)
    assert admin_client.get(reverse("admin:crossborder_notification_add")).status_code == 403


def test_the_demo_page_shows_the_mails_the_file_backend_wrote(admin_client, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    notifications.notify(
        key="selftest:file", to="bo@example.com", template="selftest", context={"name": "Bo"}, language="en"
    )

    page = admin_client.get(reverse("sent-mail")).content.decode()

    assert "A test for Bo" in page and "bo@example.com" in page and "Hello Bo." in page


def test_the_demo_page_says_so_when_mail_goes_to_a_server(admin_client, settings):
    settings.LANGUAGE_CODE = "en"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    page = admin_client.get(reverse("sent-mail")).content.decode()

    assert "Mail goes to the SMTP server" in page


def test_the_demo_page_shows_the_texts_the_sms_file_backend_wrote_newest_first(admin_client, settings, tmp_path):
    from accounts import sms

    settings.LANGUAGE_CODE = "en"
    settings.SMS_BACKEND = "accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    sms.send_text("+8613800138000", "Platform CN: your verification code is 123456.")
    sms.send_text("+8613900139000", "Platform CN: your verification code is 654321.")

    page = admin_client.get(reverse("sent-mail")).content.decode()

    assert "+8613800138000" in page and "your verification code is 123456." in page
    assert page.index("654321") < page.index("123456")


def test_the_demo_page_says_so_when_texts_go_to_a_gateway(admin_client, settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.SMS_BACKEND = "accounts.sms.LocMemBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    (tmp_path / "old.txt").write_text("To: +8613800138000\nDate: x\n\nold code 111111\n")

    page = admin_client.get(reverse("sent-mail")).content.decode()

    assert "Text messages go to the SMS gateway" in page and "111111" not in page
