"""Sending in batches (docs/partner-protocol.md section 3): to a partner whose latest signed reply
said protocol 1.2 or later, the relay sends due messages of a partnership several to a signed
request, in seq order, each with its own Idempotency-Key; it records each message by its own
result, leaves a message without a result pending for the next request, and sends one message at a
time to an older partner. What the partner did not handle is never marked delivered."""

import pytest

from crossborder import client, hooks, outbox, services, signing
from crossborder.models import OutboxMessage, Partner

pytestmark = pytest.mark.django_db


class BatchPartner:
    """Stands in for client.call_partner: answers `messages/` and `messages/batch/` as a partner on
    `version` would, with the statuses scripted per seq (default 200), handling at most `budget`
    messages a batch."""

    def __init__(self, version="1.2", statuses=None, budget=None, batch_status=200, body_limit=None):
        self.version, self.statuses, self.budget, self.batch_status = version, statuses or {}, budget, batch_status
        self.body_limit = body_limit  # a batch body larger than this is answered 413
        self.requests = []  # (path, [seq...], [idempotency key...])

    def __call__(self, partner, method, path, *, payload, idempotency_key, body=None):
        if body is None:  # as the client does: the body to sign, unless the caller wrote it
            body = client.canonical_json(payload)
        headers = {signing.PROTOCOL_HEADER: self.version}
        if path == outbox.BATCH_PATH:
            items = payload["messages"]
            self.requests.append((path, [i["message"]["seq"] for i in items], [i["idempotency_key"] for i in items]))
            if self.body_limit is not None and len(client.canonical_json(payload)) > self.body_limit:
                self.requests[-1] = (path, self.requests[-1][1], "413")
                return client.PartnerReply(413, {"code": "too_large", "detail": "", "field": None}, headers)
            if self.batch_status != 200:
                return client.PartnerReply(
                    self.batch_status, {"code": "not_found", "detail": "", "field": None}, headers
                )
            results = []
            for item in items[: self.budget]:
                seq = item["message"]["seq"]
                status = self.statuses.get(seq, 200)
                results.append({"seq": seq, "status": status, "replayed": False, "reply": {"seq": seq}})
                if status != 200:
                    break
            return client.PartnerReply(200, {"results": results, "received": len(items)}, headers)
        self.requests.append((path, [payload["seq"]], [idempotency_key]))
        status = self.statuses.get(payload["seq"], 200)
        return client.PartnerReply(status, {"type": payload["type"], "seq": payload["seq"], "result": {}}, headers)


@pytest.fixture
def partner_speaks(monkeypatch, remote):
    def install(version="1.2", **kwargs):
        Partner.objects.filter(pk=remote.partnership.partner_id).update(protocol_version=version)
        fake = BatchPartner(version, **kwargs)
        outbox._refused_bytes.clear()
        monkeypatch.setattr(outbox.client, "call_partner", fake)
        return fake

    return install


def queue(remote, count):
    for n in range(1, count + 1):
        services.send_notice(partnership=remote.partnership, subject=f"note {n}")


def statuses():
    return list(OutboxMessage.objects.order_by("seq").values_list("status", flat=True))


def test_a_partner_on_1_2_gets_due_messages_several_to_a_request_in_order_each_with_its_own_key(
    remote, partner_speaks, settings, monkeypatch
):
    settings.OUTBOX = {**settings.OUTBOX, "SEND_BATCH": 4}
    fake = partner_speaks("1.2")
    queue(remote, 10)
    delivered = []
    monkeypatch.setattr(hooks.message_delivered, "_subscribers", list(hooks.message_delivered.subscribers))
    hooks.message_delivered.subscribe(lambda message: delivered.append(message.seq))

    result = outbox.relay_partnership(remote.partnership.pk)

    assert result.delivered == 10
    assert [(path, seqs) for path, seqs, _ in fake.requests] == [
        (outbox.BATCH_PATH, [1, 2, 3, 4]),
        (outbox.BATCH_PATH, [5, 6, 7, 8]),
        (outbox.BATCH_PATH, [9, 10]),
    ]
    keys = [key for *_, batch in fake.requests for key in batch]
    assert keys == [str(k) for k in OutboxMessage.objects.order_by("seq").values_list("idempotency_key", flat=True)]
    assert statuses() == ["delivered"] * 10
    assert delivered == list(range(1, 11))  # every delivery's subscribers ran, in order


def test_a_partner_on_1_1_gets_one_message_a_request(remote, partner_speaks):
    fake = partner_speaks("1.1")
    queue(remote, 3)

    outbox.relay_partnership(remote.partnership.pk)

    assert [(path, seqs) for path, seqs, _ in fake.requests] == [(outbox.MESSAGES_PATH, [n]) for n in (1, 2, 3)]


def test_a_final_refusal_inside_a_batch_rejects_that_message_and_the_next_ones_go_in_the_next_request(
    remote, partner_speaks
):
    fake = partner_speaks("1.2", statuses={2: 422})
    queue(remote, 4)

    result = outbox.relay_partnership(remote.partnership.pk)

    assert (result.delivered, result.rejected) == (3, 1)
    assert [seqs for _, seqs, _ in fake.requests] == [[1, 2, 3, 4], [3, 4]]
    assert statuses() == ["delivered", "rejected", "delivered", "delivered"]


def test_a_retryable_refusal_inside_a_batch_stops_the_relay_and_leaves_the_rest_pending_untouched(
    remote, partner_speaks
):
    partner_speaks("1.2", statuses={2: 409})
    queue(remote, 4)

    result = outbox.relay_partnership(remote.partnership.pk)

    assert (result.delivered, result.failed) == (1, 1)
    assert statuses() == ["delivered", "pending", "pending", "pending"]
    attempts = dict(OutboxMessage.objects.values_list("seq", "attempts"))
    assert attempts == {1: 1, 2: 1, 3: 0, 4: 0}  # only what the partner handled counts as tried


def test_messages_the_partner_had_no_time_for_are_sent_in_the_next_request(remote, partner_speaks):
    fake = partner_speaks("1.2", budget=2)
    queue(remote, 5)

    outbox.relay_partnership(remote.partnership.pk)

    assert [seqs for _, seqs, _ in fake.requests] == [[1, 2, 3, 4, 5], [3, 4, 5], [5]]
    assert statuses() == ["delivered"] * 5


def test_a_batch_that_fails_as_a_whole_counts_as_the_first_messages_attempt(remote, partner_speaks, monkeypatch):
    partner_speaks("1.2")
    queue(remote, 3)

    def unreachable(*args, **kwargs):
        raise client.PartnerUnreachable("connection refused")

    monkeypatch.setattr(outbox.client, "call_partner", unreachable)
    result = outbox.relay_partnership(remote.partnership.pk)

    assert result.failed == 1
    assert statuses() == ["pending"] * 3
    assert dict(OutboxMessage.objects.values_list("seq", "attempts")) == {1: 1, 2: 0, 3: 0}
    assert OutboxMessage.objects.get(seq=1).last_error == "connection refused"


def test_a_partner_without_the_batch_endpoint_gets_the_messages_one_by_one(remote, partner_speaks):
    fake = partner_speaks("1.2", batch_status=404)
    queue(remote, 2)

    outbox.relay_partnership(remote.partnership.pk)

    assert [(path, seqs) for path, seqs, _ in fake.requests] == [
        (outbox.BATCH_PATH, [1, 2]),
        (outbox.MESSAGES_PATH, [1]),
        (outbox.MESSAGES_PATH, [2]),  # alone: one message due is never a batch
    ]
    assert statuses() == ["delivered", "delivered"]


def test_a_batch_carries_no_more_bytes_than_allowed(remote, partner_speaks, settings):
    settings.OUTBOX = {**settings.OUTBOX, "SEND_BATCH_BYTES": 900}
    fake = partner_speaks("1.2")
    queue(remote, 5)

    outbox.relay_partnership(remote.partnership.pk)

    sizes = [len(seqs) for _, seqs, _ in fake.requests]
    assert sum(sizes) == 5 and max(sizes) < 5
    assert statuses() == ["delivered"] * 5


def test_a_backlog_of_large_messages_is_read_only_as_far_as_one_request_carries(
    remote, partner_speaks, settings, monkeypatch
):
    """Each send reads the payloads of the messages it sends, not of every pending one: a relay
    working through a night's handoff parts (about 1 MB each) read 25 of them for every part."""
    import secrets

    settings.OUTBOX = {**settings.OUTBOX, "SEND_BATCH_BYTES": 30_000}
    fake = partner_speaks("1.2")
    for n in range(1, 7):  # ~40 KB each: every one fills a request alone
        services.send_notice(partnership=remote.partnership, subject=f"part {n}", body=secrets.token_hex(20_000))
    field = OutboxMessage._meta.get_field("payload")
    decoded = []
    original = field.from_db_value

    def counting(value, expression, connection):
        decoded.append(value)
        return original(value, expression, connection)

    monkeypatch.setattr(field, "from_db_value", counting)

    outbox.relay_partnership(remote.partnership.pk)

    assert [seqs for _, seqs, _ in fake.requests] == [[1], [2], [3], [4], [5], [6]]
    assert statuses() == ["delivered"] * 6
    assert len(decoded) == 6  # each payload read once, when its turn came (21 reads before)


def test_a_batch_too_large_for_the_partner_is_halved_and_later_batches_stay_under_what_it_refused(
    remote, partner_speaks
):
    """A partner whose body limit is below our batch budget answers 413: the relay sends half as
    many bytes at once, and remembers it, instead of sending one message alone and trying the whole
    budget again next time (one message per two requests)."""
    one = len(client.canonical_json({"idempotency_key": "x" * 36, "message": {"type": "partner.notice"}}))
    fake = partner_speaks("1.2", body_limit=40 * one)
    for n in range(1, 41):
        services.send_notice(partnership=remote.partnership, subject=f"note {n:02d}", body="y" * 200)

    outbox.relay_partnership(remote.partnership.pk)
    outbox.relay_partnership(remote.partnership.pk)

    refused = [n for n, (_, _seqs, marker) in enumerate(fake.requests) if marker == "413"]
    accepted = [seqs for _, seqs, marker in fake.requests if marker != "413"]
    assert statuses() == ["delivered"] * 40 and [seq for seqs in accepted for seq in seqs] == list(range(1, 41))
    assert refused == list(range(len(refused))) and len(refused) <= 3  # halved until it fit, never refused again
    assert all(len(seqs) > 1 for seqs in accepted[:-1]) and len(accepted) < 20  # several to a request


def test_a_message_that_fills_a_request_alone_is_written_once(remote, partner_speaks, settings, monkeypatch):
    """Its size is measured on the canonical JSON that is then signed and sent: a 1 MB handoff part
    was serialised twice per send before."""
    settings.OUTBOX = {**settings.OUTBOX, "SEND_BATCH_BYTES": 30_000}
    fake = partner_speaks("1.2")
    for n in range(1, 4):
        services.send_notice(partnership=remote.partnership, subject=f"part {n}", body="z" * 40_000)
    written = []
    canonical = client.canonical_json

    def counting(value):
        result = canonical(value)
        if len(result) > 30_000:
            written.append(len(result))
        return result

    monkeypatch.setattr(client, "canonical_json", counting)

    outbox.relay_partnership(remote.partnership.pk)

    assert [seqs for _, seqs, _ in fake.requests] == [[1], [2], [3]]
    assert len(written) == 3  # once each (twice before: measured, then written again to be signed)
