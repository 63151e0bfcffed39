"""Every state-changing partner message takes effect once per idempotency key."""

import datetime as dt
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection
from django.utils import timezone

from crossborder import messages
from crossborder.client import canonical_json
from crossborder.models import InboxMessage, PartnerNotice
from tests.partners import MESSAGES_PATH, body_json, table_counts

pytestmark = pytest.mark.django_db

NOTICE = {"subject": "Restock", "body": ""}


def post(api, remote, envelope, key):
    body = canonical_json(envelope)
    return remote.send(api, remote.sign("POST", MESSAGES_PATH, body, idempotency_key=key))


def test_repeat_with_the_same_key_gets_the_first_answer_and_no_second_effect(api, remote):
    envelope = remote.envelope("partner.notice", NOTICE)
    first = post(api, remote, envelope, "key-1")
    repeat = post(api, remote, envelope, "key-1")

    assert first.status_code == repeat.status_code == 200
    assert body_json(first) == body_json(repeat)
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert PartnerNotice.objects.count() == 1
    assert InboxMessage.objects.get().status == InboxMessage.Status.DONE


def test_same_key_with_a_different_body_is_refused_with_422(api, remote):
    post(api, remote, remote.envelope("partner.notice", NOTICE), "key-1")
    before = table_counts()

    response = post(api, remote, remote.envelope("partner.notice", {"subject": "Other"}), "key-1")

    assert response.status_code == 422
    assert body_json(response)["code"] == "idempotency_key_reused"
    assert table_counts() == {**before, "crossborder.SeenNonce": before["crossborder.SeenNonce"] + 1}
    assert PartnerNotice.objects.count() == 1


def test_state_changing_call_without_a_key_is_refused_with_400(api, remote):
    body = canonical_json(remote.envelope("partner.notice", NOTICE))
    prepared = remote.sign("POST", MESSAGES_PATH, body)
    before = table_counts()

    response = remote.send(api, prepared)

    assert response.status_code == 400
    assert body_json(response)["code"] == "idempotency_key_missing"
    assert {k: v for k, v in table_counts().items() if k != "crossborder.SeenNonce"} == {
        k: v for k, v in before.items() if k != "crossborder.SeenNonce"
    }


def test_same_key_while_the_first_is_in_flight_is_refused_with_409(api, remote):
    envelope = remote.envelope("partner.notice", NOTICE)
    body = canonical_json(envelope)
    from crossborder.signing import body_hash

    InboxMessage.objects.create(
        partner=remote.partner,
        idempotency_key="key-1",
        request_hash=body_hash(body),
        endpoint="messages",
        claim_until=timezone.now() + dt.timedelta(seconds=30),
    )

    response = post(api, remote, envelope, "key-1")

    assert response.status_code == 409
    assert body_json(response)["code"] == "request_in_flight"
    assert PartnerNotice.objects.count() == 0


def test_a_claim_left_by_a_dead_process_is_taken_over(api, remote):
    envelope = remote.envelope("partner.notice", NOTICE)
    from crossborder.signing import body_hash

    InboxMessage.objects.create(
        partner=remote.partner,
        idempotency_key="key-1",
        request_hash=body_hash(canonical_json(envelope)),
        endpoint="messages",
        claim_until=timezone.now() - dt.timedelta(seconds=1),
    )

    response = post(api, remote, envelope, "key-1")

    assert response.status_code == 200
    assert PartnerNotice.objects.count() == 1
    assert InboxMessage.objects.get().status == InboxMessage.Status.DONE


def test_a_failing_effect_leaves_no_claim_and_no_change(api, remote, monkeypatch):
    kind = messages.get("partner.notice")

    def broken(**kwargs):
        PartnerNotice.objects.create(partnership=remote.partnership, direction="received", subject="half")
        raise RuntimeError("disk full")

    monkeypatch.setitem(
        messages._registry, "partner.notice", messages.MessageType(kind.name, kind.payload_serializer, broken)
    )
    api.raise_request_exception = False

    response = post(api, remote, remote.envelope("partner.notice", NOTICE), "key-1")

    assert response.status_code == 500
    assert InboxMessage.objects.count() == 0
    assert PartnerNotice.objects.count() == 0


def test_invalid_payload_is_refused_naming_the_field_and_changes_nothing(api, remote):
    response = post(api, remote, remote.envelope("partner.notice", {"subject": ""}), "key-1")

    assert response.status_code == 400
    assert body_json(response)["code"] == "invalid_payload"
    assert "subject" in body_json(response)["detail"]
    assert InboxMessage.objects.count() == PartnerNotice.objects.count() == 0


def test_unknown_message_type_is_refused(api, remote):
    response = post(api, remote, remote.envelope("nobody.knows", {}), "key-1")

    assert response.status_code == 400
    assert body_json(response)["code"] == "unknown_message_type"
    assert body_json(response)["field"] == "type"
    assert InboxMessage.objects.count() == 0


def test_message_for_another_partnership_is_refused(api, remote):
    envelope = remote.envelope("partner.notice", NOTICE, reference=uuid.uuid4())
    response = post(api, remote, envelope, "key-1")

    assert response.status_code == 409
    assert body_json(response)["code"] == "partnership_conflict"
    assert PartnerNotice.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_parallel_requests_with_one_key_have_exactly_one_effect(live_server, remote, monkeypatch):
    """Ten real HTTP requests race on PostgreSQL; the handler is slow so most arrive in flight."""
    kind = messages.get("partner.notice")

    def slow(**kwargs):
        time.sleep(0.5)
        return kind.handler(**kwargs)

    monkeypatch.setitem(
        messages._registry, "partner.notice", messages.MessageType(kind.name, kind.payload_serializer, slow)
    )
    remote.host = live_server.url.removeprefix("http://")
    body = canonical_json(remote.envelope("partner.notice", NOTICE))
    # Each request is a separate signature (own nonce), all with the same key and body.
    prepared = [remote.sign("POST", MESSAGES_PATH, body, idempotency_key="same-key") for _ in range(10)]
    barrier = threading.Barrier(10)

    def send(request):
        barrier.wait()
        with requests.Session() as session:
            return session.send(request, timeout=30)

    with ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(send, prepared))
    connection.close()

    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {200, 409}, [r.text for r in responses]
    assert statuses.count(200) >= 1
    assert PartnerNotice.objects.count() == 1
    assert InboxMessage.objects.count() == 1
    # Once the first is done, a repeat gets the stored first answer.
    again = requests.Session().send(remote.sign("POST", MESSAGES_PATH, body, idempotency_key="same-key"), timeout=30)
    assert again.status_code == 200
    assert again.json() == next(r.json() for r in responses if r.status_code == 200)
