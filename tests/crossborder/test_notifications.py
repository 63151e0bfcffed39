"""Notifications: one per event key, sent after commit, retried when the mail server fails."""

import pytest
from django.core import mail
from django.db import transaction

from crossborder import notifications
from crossborder.models import Notification
from tests.smtp_server import eager_tasks  # noqa: F401  (Celery read its settings at start)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_tasks")]


def test_a_notification_is_sent_once_after_commit_however_often_the_event_is_told(settings):
    with transaction.atomic():
        notifications.notify(
            key="selftest:1", to="a@example.com", template="selftest", context={"name": "Ann"}, language="en"
        )
        notifications.notify(
            key="selftest:1", to="a@example.com", template="selftest", context={"name": "Ann"}, language="en"
        )
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "A test for Ann"
    assert mail.outbox[0].body.strip() == "Hello Ann."
    assert Notification.objects.get().status == Notification.Status.SENT
    assert notifications.send(Notification.objects.get().pk) is False  # a second run sends nothing


def test_a_notification_that_failed_to_send_is_sent_by_the_sweep(settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.crossborder.test_notifications.BrokenBackend"
    notifications.notify(
        key="selftest:2", to="b@example.com", template="selftest", context={"name": "Bo"}, language="en"
    )
    note = Notification.objects.get()
    assert note.status == Notification.Status.FAILED and "refused" in note.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.update(next_attempt_at=note.created_at)
    assert notifications.send_due() == 1
    assert [m.to for m in mail.outbox] == [["b@example.com"]]


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("refused")


@pytest.mark.postgres
def test_notifying_writes_one_statement_and_a_repeat_returns_the_first_row_unchanged():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            first = notifications.notify(
                key="selftest:2", to="a@example.com", template="selftest", context={"name": "Ann"}, language="en"
            )
        again = notifications.notify(
            key="selftest:2", to="b@example.com", template="selftest", context={"name": "Bob"}, language="en"
        )
    assert len(queries.captured_queries) == 1  # no SELECT first, no savepoint
    assert again.pk == first.pk and again.to == "a@example.com" and again.context == {"name": "Ann"}
    assert Notification.objects.count() == 1
    assert first.created_at is not None and first.status == Notification.Status.PENDING
