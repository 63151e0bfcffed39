"""The relay lease is short (one send), renewed before every send only while still held, and
released at once when a relay stops: a crashed worker delays its partnership by one lease, never
by a batch, and two relays never send at once."""

import datetime as dt
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from crossborder import outbox, services
from crossborder.models import OutboxMessage, Partnership, RelayLease
from tests.crossborder.test_outbox import fake  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def settings_value(expression, **env):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CROSSBORDER_OUTBOX")}
    environ.update(DJANGO_SETTINGS_MODULE="crossborder.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    return out.stdout.split()[-1]


def test_the_default_lease_outlasts_one_send_and_no_more():
    assert settings_value('settings.OUTBOX["LEASE_SECONDS"]') == "25"  # 2 x 10 s + 5 s
    assert settings_value('settings.OUTBOX["LEASE_SECONDS"]', CROSSBORDER_PARTNER_TIMEOUT="4") == "13"
    assert settings_value('settings.OUTBOX["LEASE_SECONDS"]', CROSSBORDER_OUTBOX_LEASE_SECONDS="40") == "40"


def test_a_relay_that_lost_its_lease_between_sends_stops_before_the_next_one(remote, fake, monkeypatch):  # noqa: F811
    for n in range(3):
        services.send_notice(partnership=remote.partnership, subject=f"notice {n}")
    partner = fake()

    def slow_hook(message):
        # The hook after the first delivery outlives the lease and another relay takes it over.
        RelayLease.objects.filter(pk=remote.partnership.pk).update(
            until=timezone.now() + dt.timedelta(seconds=30), token=None
        )

    monkeypatch.setattr(outbox, "_after_delivery", slow_hook)
    result = outbox.relay_partnership(remote.partnership.pk)

    assert [seq for seq, _type, _key in partner.sent] == [1]
    assert result.delivered == 1
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count() == 2
    # The other relay's lease is left alone.
    assert RelayLease.objects.get(pk=remote.partnership.pk).until is not None


def test_a_relay_renews_before_each_send_and_releases_when_it_stops(remote, fake, settings, monkeypatch):  # noqa: F811
    settings.OUTBOX = {**settings.OUTBOX, "LEASE_SECONDS": 25}
    for n in range(2):
        services.send_notice(partnership=remote.partnership, subject=f"notice {n}")
    leases = []

    def watching(partner, method, path, *, payload, idempotency_key):
        leases.append(RelayLease.objects.get(pk=remote.partnership.pk).until - timezone.now())
        return partner_reply(partner, method, path, payload=payload, idempotency_key=idempotency_key)

    partner_reply = fake()
    monkeypatch.setattr(outbox.client, "call_partner", watching)
    assert outbox.relay_partnership(remote.partnership.pk).delivered == 2

    assert len(leases) == 2 and all(dt.timedelta(seconds=20) < left <= dt.timedelta(seconds=25) for left in leases)
    lease = RelayLease.objects.get(pk=remote.partnership.pk)
    assert lease.until is None and lease.token is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_relay_delivers_while_an_order_being_paid_holds_the_partnership_row(remote, fake):  # noqa: F811
    """Paying an order locks the partnership row until it commits (the suspension check, the next
    outbox seq). The relay's lease is a row of its own, so it sends meanwhile instead of waiting for
    each such transaction (a relay that renewed its lease on the partnership row drained about one
    message per paying transaction)."""
    for n in range(3):
        services.send_notice(partnership=remote.partnership, subject=f"notice {n}")
    partner = fake()
    # The lease row as any earlier relay of the partnership left it (the first relay's insert checks
    # its foreign key, which waits for the row once).
    RelayLease.objects.create(partnership=remote.partnership)
    locked, relayed = threading.Event(), threading.Event()

    def pay_an_order():
        try:
            with transaction.atomic():
                Partnership.objects.select_for_update().get(pk=remote.partnership.pk)
                Partnership.objects.filter(pk=remote.partnership.pk).update(outbox_seq=F("outbox_seq"))
                locked.set()
                relayed.wait(timeout=60)  # holds the row until the relay returned (or gave up)
                held_to_the_end = relayed.is_set()
            return held_to_the_end
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        payer = pool.submit(pay_an_order)
        assert locked.wait(timeout=60)
        result = outbox.relay_partnership(remote.partnership.pk)
        relayed.set()
        assert payer.result(), "the relay returned only after the paying transaction let go of the row"

    assert result.delivered == 3
    assert [seq for seq, _type, _key in partner.sent] == [1, 2, 3]
    assert RelayLease.objects.get(pk=remote.partnership.pk).token is None
