"""Messages to a partner are queued with the change that caused them and relayed in order,
with retries and backoff, never lost and never sent out of order."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from crossborder import client, outbox, services
from crossborder.models import OutboxMessage, Partnership, RelayLease

pytestmark = pytest.mark.django_db


class FakePartner:
    """Stands in for client.call_partner: records what was sent, answers from a script."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []

    def __call__(self, partner, method, path, *, payload, idempotency_key):
        self.sent.append((payload["seq"], payload["type"], str(idempotency_key)))
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return client.PartnerReply(answer, {"ok": answer == 200}, {})


@pytest.fixture
def fake(monkeypatch):
    def install(*answers):
        partner = FakePartner(*answers)
        monkeypatch.setattr(outbox.client, "call_partner", partner)
        return partner

    return install


def due_now():
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def test_message_is_written_in_the_callers_transaction_and_vanishes_with_its_rollback(remote):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send_notice(partnership=remote.partnership, subject="never sent")
        raise RuntimeError("the change failed")

    assert OutboxMessage.objects.count() == 0
    assert Partnership.objects.get(pk=remote.partnership.pk).outbox_seq == 0


def test_messages_are_numbered_per_partnership_and_relayed_in_order(remote, fake):
    for n in range(5):
        services.send_notice(partnership=remote.partnership, subject=f"notice {n}")
    partner = fake()

    result = outbox.relay_partnership(remote.partnership.pk)

    assert result.delivered == 5
    assert [seq for seq, _, _ in partner.sent] == [1, 2, 3, 4, 5]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_failed_send_waits_with_backoff_and_blocks_the_messages_behind_it(remote, fake, settings):
    # A backoff of seconds, not the suite's milliseconds: "not yet due" must hold on a busy machine.
    settings.OUTBOX = {**settings.OUTBOX, "BACKOFF_BASE": 30, "BACKOFF_CAP": 60}
    for n in range(3):
        services.send_notice(partnership=remote.partnership, subject=f"notice {n}")
    partner = fake(client.PartnerUnreachable("connection refused"))

    result = outbox.relay_partnership(remote.partnership.pk)

    assert (result.delivered, result.failed) == (0, 1)
    assert [seq for seq, _, _ in partner.sent] == [1]
    head = OutboxMessage.objects.get(seq=1)
    assert head.status == "pending" and head.attempts == 1
    assert "connection refused" in head.last_error
    assert head.next_attempt_at > timezone.now()
    # Not yet due: nothing is sent, the order holds.
    assert outbox.relay_partnership(remote.partnership.pk).delivered == 0
    assert len(partner.sent) == 1

    due_now()
    assert outbox.relay_partnership(remote.partnership.pk).delivered == 3
    assert [seq for seq, _, _ in partner.sent] == [1, 1, 2, 3]
    # The retry reused the idempotency key, so the partner can recognise a repeat.
    assert partner.sent[0][2] == partner.sent[1][2]


@pytest.mark.parametrize("status", [500, 502, 503, 409, 401, 429])
def test_transient_refusals_are_retried(remote, fake, status):
    services.send_notice(partnership=remote.partnership, subject="x")
    fake(status)

    assert outbox.relay_partnership(remote.partnership.pk).failed == 1
    assert OutboxMessage.objects.get().status == "pending"


def test_a_permanent_refusal_is_recorded_and_the_queue_moves_on(remote, fake):
    services.send_notice(partnership=remote.partnership, subject="bad")
    services.send_notice(partnership=remote.partnership, subject="good")
    fake(422, 200)

    result = outbox.relay_partnership(remote.partnership.pk)

    assert (result.rejected, result.delivered) == (1, 1)
    assert list(OutboxMessage.objects.order_by("seq").values_list("status", flat=True)) == ["rejected", "delivered"]


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap(settings):
    settings.OUTBOX = {**settings.OUTBOX, "BACKOFF_BASE": 2, "BACKOFF_CAP": 60}
    for attempts, ceiling in [(1, 4), (2, 8), (3, 16), (10, 60)]:
        delays = {outbox.backoff_delay(attempts).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jitter


def test_only_one_relay_at_a_time_per_partnership(remote, fake):
    services.send_notice(partnership=remote.partnership, subject="x")
    partner = fake()
    RelayLease.objects.create(partnership=remote.partnership, until=timezone.now() + dt.timedelta(seconds=30))

    assert outbox.relay_partnership(remote.partnership.pk).skipped
    assert partner.sent == []


def test_a_lease_left_by_a_killed_worker_lapses_and_the_message_is_resent(remote, fake):
    services.send_notice(partnership=remote.partnership, subject="x")
    partner = fake()
    RelayLease.objects.create(partnership=remote.partnership, until=timezone.now() - dt.timedelta(seconds=1))

    assert outbox.relay_partnership(remote.partnership.pk).delivered == 1
    assert len(partner.sent) == 1


def test_a_relay_whose_lease_lapsed_mid_send_does_not_overwrite_a_newer_relays_delivery(remote, fake):
    services.send_notice(partnership=remote.partnership, subject="x")
    message = OutboxMessage.objects.get()

    def slow_send(partner, method, path, *, payload, idempotency_key):
        # While this send hangs, its lease lapses, a second relay takes over and delivers the message.
        RelayLease.objects.filter(pk=remote.partnership.pk).update(until=timezone.now())
        RelayLease.objects.filter(pk=remote.partnership.pk).update(until=None, token=None)
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.DELIVERED)
        raise client.PartnerUnreachable("timed out")

    fake()
    outbox.client.call_partner = slow_send
    result = outbox.relay_partnership(remote.partnership.pk)

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED
    assert message.attempts == 0
    assert result.failed == 0


def test_the_relay_lease_must_outlast_a_send_with_its_timeout(settings):
    from crossborder.checks import check_outbox_lease

    settings.OUTBOX = {**settings.OUTBOX, "LEASE_SECONDS": 15}
    settings.PARTNER_API = {**settings.PARTNER_API, "REQUEST_TIMEOUT": 10}
    errors = check_outbox_lease(None)
    assert [e.id for e in errors] == ["crossborder.E001"]
    assert "CROSSBORDER_OUTBOX_LEASE_SECONDS" in errors[0].msg


def test_relay_all_serves_every_partnership_with_due_messages(remote, fake):
    services.send_notice(partnership=remote.partnership, subject="x")
    fake()
    assert outbox.relay_all().delivered == 1


def test_messages_go_only_to_live_partnerships(remote):
    Partnership.objects.filter(pk=remote.partnership.pk).update(status=Partnership.Status.ENDED)
    remote.partnership.refresh_from_db()
    with pytest.raises(services.DomainError) as refused:
        services.send_notice(partnership=remote.partnership, subject="x")
    assert refused.value.code == "invalid_state"
    assert OutboxMessage.objects.count() == 0


def test_notice_without_subject_is_refused(remote):
    with pytest.raises(services.DomainError) as refused:
        services.send_notice(partnership=remote.partnership, subject="  ")
    assert refused.value.field == "subject"
    assert OutboxMessage.objects.count() == 0
