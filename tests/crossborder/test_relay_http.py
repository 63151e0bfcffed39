"""The relay over real HTTP, and through a real Celery worker on Redis.

The partner here is this same instance reached over loopback (its own key registered as the
partner's), so a message travels the whole way: outbox, signed request, inbox, signed reply."""

import contextlib
import os
import time

import pytest
from django.utils import timezone

from crossborder import outbox, services
from crossborder.models import InboxMessage, OutboxMessage, Partner, PartnerKey, PartnerNotice, Partnership

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loopback(live_server, own_key):
    partner = Partner.objects.create(
        code="loop", name="Loopback", country="US", currency="USD", languages=["en"], base_url=live_server.url
    )
    PartnerKey.objects.create(partner=partner, key_id=own_key.key_id, public_key=own_key.public_key)
    return Partnership.objects.create(
        partner=partner,
        status=Partnership.Status.ACTIVE,
        initiated_by=Partnership.Initiator.US,
        settlement_currency="USD",
        commission_rate="0.05",
        settlement_cutoff="23:00",
    )


@contextlib.contextmanager
def broker(url):
    """Point the Celery app at another broker for the duration, with fresh connection pools."""
    from crossborder.celery import app

    def reset():
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield app
    finally:
        app.conf.broker_url = old
        reset()


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_relay_delivers_over_http_and_the_partner_records_each_message_once(loopback):
    for n in range(3):
        services.send_notice(partnership=loopback, subject=f"notice {n}")

    result = outbox.relay_partnership(loopback.pk)

    assert result.delivered == 3
    received = PartnerNotice.objects.filter(direction="received").order_by("id")
    assert [n.sent_seq for n in received] == [1, 2, 3]
    assert all(m.response_status == 200 for m in OutboxMessage.objects.all())


def test_a_resend_after_a_lost_acknowledgement_has_no_second_effect(loopback):
    services.send_notice(partnership=loopback, subject="once")
    outbox.relay_partnership(loopback.pk)
    # The acknowledgement is lost (say the worker died before recording it): the relay sends again.
    OutboxMessage.objects.update(status="pending", next_attempt_at=timezone.now())

    assert outbox.relay_partnership(loopback.pk).delivered == 1
    assert PartnerNotice.objects.filter(direction="received").count() == 1
    assert InboxMessage.objects.count() == 1


def test_partner_down_loses_nothing_and_the_backlog_drains_when_it_returns(loopback, settings):
    live_url = loopback.partner.base_url
    Partner.objects.filter(pk=loopback.partner_id).update(base_url="http://127.0.0.1:9")  # nothing listens
    for n in range(3):
        services.send_notice(partnership=loopback, subject=f"notice {n}")

    assert outbox.relay_partnership(loopback.pk).failed == 1
    assert OutboxMessage.objects.filter(status="pending").count() == 3

    Partner.objects.filter(pk=loopback.partner_id).update(base_url=live_url)
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox.relay_partnership(loopback.pk).delivered == 3
    assert [n.sent_seq for n in PartnerNotice.objects.filter(direction="received").order_by("id")] == [1, 2, 3]


def test_broker_down_when_queueing_loses_nothing(loopback, settings):
    settings.OUTBOX = {**settings.OUTBOX, "RELAY_ON_COMMIT": True}
    with broker("redis://127.0.0.1:9/0"):  # no broker there
        services.send_notice(partnership=loopback, subject="waits for the beat")

    assert OutboxMessage.objects.get().status == "pending"
    assert outbox.relay_all().delivered == 1


@pytest.mark.redis
def test_a_real_celery_worker_on_redis_relays_after_commit(loopback, settings):
    from celery.contrib.testing.worker import start_worker

    settings.OUTBOX = {**settings.OUTBOX, "RELAY_ON_COMMIT": True}
    with (
        broker(os.environ["CROSSBORDER_TEST_REDIS"].rstrip("/") + "/13") as app,
        start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10),
    ):
        for n in range(3):
            services.send_notice(partnership=loopback, subject=f"notice {n}")
        delivered = wait_for(lambda: not OutboxMessage.objects.exclude(status="delivered").exists())

    assert delivered, list(OutboxMessage.objects.values_list("seq", "status", "last_error"))
    assert [n.sent_seq for n in PartnerNotice.objects.filter(direction="received").order_by("id")] == [1, 2, 3]


def test_a_database_restart_loses_nothing_and_the_next_relay_delivers(loopback):
    """Every connection to the database is cut (as a restart does) with a message queued: the next
    use fails, the next request or task starts on a fresh connection (close_old_connections, which
    Django runs before each request and Celery before each task; health checks are on), and the
    relay delivers the message once."""
    from django.db import close_old_connections, connection
    from django.db.utils import Error as DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("cutting every connection needs PostgreSQL")
    import psycopg2

    services.send_notice(partnership=loopback, subject="before the restart")
    params = connection.get_connection_params()
    killer = psycopg2.connect(
        **{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}
    )
    killer.autocommit = True
    with killer.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [params["dbname"]],
        )
    killer.close()

    with pytest.raises(DatabaseError):
        OutboxMessage.objects.count()
    close_old_connections()

    assert outbox.relay_all().delivered == 1
    received = PartnerNotice.objects.filter(direction="received").values_list("subject", flat=True)
    assert list(received) == ["before the restart"]


def test_a_reply_signed_with_a_key_the_partner_announced_during_the_call_is_accepted(loopback, monkeypatch):
    # The partner rotates while our request is on its way: its keys_updated reaches our inbox (the
    # new key stored) and, once acknowledged, it signs its replies with the new key, ours included.
    from crossborder import client, signing
    from crossborder.models import SigningKey

    services.send_notice(partnership=loopback, subject="during a rotation")
    real_send = client._session.send

    def rotating_send(prepared, **kwargs):
        pem, public = signing.generate_keypair()
        SigningKey.objects.filter(status=SigningKey.Status.CURRENT).update(status=SigningKey.Status.PREVIOUS)
        new = SigningKey.objects.create(
            key_id="loop-rotated", private_key_pem=pem, public_key=public, status=SigningKey.Status.CURRENT
        )
        PartnerKey.objects.create(partner=loopback.partner, key_id=new.key_id, public_key=public)
        return real_send(prepared, **kwargs)

    monkeypatch.setattr(client._session, "send", rotating_send)

    result = outbox.relay_partnership(loopback.pk)

    assert (result.delivered, result.failed) == (1, 0)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("delivered", 1)
