"""Receiving a batch (`POST messages/batch/`, protocol 1.2, docs/partner-protocol.md section 3):
several messages of one partnership in one signed request, each applied exactly as `messages/`
applies it alone (its own Idempotency-Key, at most once per (partnership, seq), in seq order),
stopping at the first that is refused or when the time budget is spent; a message without a
result was not applied. A malformed batch is refused whole, signed, nothing changed."""

import uuid

import pytest

from crossborder.client import canonical_json
from crossborder.models import InboxMessage, PartnerNotice
from tests.partners import MESSAGES_PATH, body_json, table_counts, verify_reply

pytestmark = pytest.mark.django_db

BATCH_PATH = MESSAGES_PATH + "batch/"


def notice(remote, subject, **kwargs):
    return {
        "idempotency_key": str(uuid.uuid4()),
        "message": remote.envelope("partner.notice", {"subject": subject}, **kwargs),
    }


def send_batch(api, remote, items, *, reference=None):
    body = canonical_json({"partnership": str(reference or remote.partnership.reference), "messages": items})
    return remote.send(api, remote.sign("POST", BATCH_PATH, body, idempotency_key=str(uuid.uuid4())))


def subjects():
    return list(PartnerNotice.objects.filter(direction="received").order_by("id").values_list("subject", flat=True))


def test_a_batch_is_applied_in_order_each_message_once_and_the_reply_is_signed(api, remote):
    items = [notice(remote, f"note {n}") for n in (1, 2, 3)]

    response = send_batch(api, remote, items)

    assert response.status_code == 200, response.content
    verify_reply(response)
    reply = body_json(response)
    assert reply["received"] == 3
    assert [(r["seq"], r["status"], r["replayed"]) for r in reply["results"]] == [
        (1, 200, False),
        (2, 200, False),
        (3, 200, False),
    ]
    assert reply["results"][0]["reply"]["type"] == "partner.notice"
    assert subjects() == ["note 1", "note 2", "note 3"]


def test_a_batch_sent_again_gets_the_first_answers_and_applies_nothing_twice(api, remote):
    items = [notice(remote, f"note {n}") for n in (1, 2)]
    first = body_json(send_batch(api, remote, items))

    again = body_json(send_batch(api, remote, items))

    assert [r["replayed"] for r in again["results"]] == [True, True]
    assert [r["reply"] for r in again["results"]] == [r["reply"] for r in first["results"]]
    assert subjects() == ["note 1", "note 2"]


def test_a_message_applied_alone_is_not_applied_again_in_a_batch_whatever_its_key(api, remote):
    alone = notice(remote, "note 1")
    assert remote.send(api, remote.sign("POST", MESSAGES_PATH, canonical_json(alone["message"]),
                                        idempotency_key=alone["idempotency_key"])).status_code == 200  # fmt: skip
    under_a_new_key = {**alone, "idempotency_key": str(uuid.uuid4())}

    reply = body_json(send_batch(api, remote, [alone, under_a_new_key, notice(remote, "note 2")]))

    assert [(r["seq"], r["status"], r["replayed"]) for r in reply["results"]] == [
        (1, 200, True),
        (1, 200, True),
        (2, 200, False),
    ]
    assert subjects() == ["note 1", "note 2"]


def test_the_first_refused_message_is_its_result_and_the_ones_after_it_are_not_applied(api, remote):
    first = notice(remote, "note 1")
    bad = {"idempotency_key": str(uuid.uuid4()), "message": remote.envelope("partner.notice", {"subject": ""})}
    items = [first, bad, notice(remote, "note 3")]

    reply = body_json(send_batch(api, remote, items))

    assert [(r["seq"], r["status"]) for r in reply["results"]] == [(1, 200), (2, 400)]
    assert reply["results"][1]["reply"]["code"] == "invalid_payload"
    assert reply["results"][1]["reply"]["field"] == "payload.subject"
    assert subjects() == ["note 1"]
    assert not InboxMessage.objects.filter(seq__in=[2, 3]).exists()


def test_a_seq_below_one_applied_in_the_same_batch_is_refused_as_out_of_order(api, remote):
    items = [notice(remote, "note 2", seq=2), notice(remote, "note 1", seq=1)]

    reply = body_json(send_batch(api, remote, items))

    assert [(r["seq"], r["status"], r["reply"].get("code")) for r in reply["results"]] == [
        (2, 200, None),
        (1, 422, "seq_out_of_order"),
    ]
    assert subjects() == ["note 2"]


def test_an_unknown_type_in_a_batch_is_that_messages_refusal(api, remote):
    first = notice(remote, "note 1")
    odd = {"idempotency_key": str(uuid.uuid4()), "message": remote.envelope("no.such_type", {})}

    reply = body_json(send_batch(api, remote, [first, odd]))

    assert [(r["status"], r["reply"].get("code")) for r in reply["results"]] == [
        (200, None),
        (400, "unknown_message_type"),
    ]


def test_the_receiver_stops_when_its_time_budget_is_spent_and_says_so_by_leaving_results_out(api, remote, settings):
    settings.PARTNER_API = {**settings.PARTNER_API, "BATCH_SECONDS": 0}
    items = [notice(remote, f"note {n}") for n in (1, 2, 3)]

    reply = body_json(send_batch(api, remote, items))

    assert reply["received"] == 3
    assert [r["seq"] for r in reply["results"]] == [1]  # always at least one: a batch makes progress
    assert subjects() == ["note 1"]
    assert [r["seq"] for r in body_json(send_batch(api, remote, items[1:]))["results"]] == [2]


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({"messages": []}, 400, "invalid", "messages"),
        ({"messages": "notes"}, 400, "invalid", "messages"),
        ({"messages": [{"message": {}}]}, 400, "invalid", "messages.0.idempotency_key"),
        ({"messages": [{"idempotency_key": "k" * 101, "message": {}}]}, 400, "invalid", "messages.0.idempotency_key"),
        ({"messages": [{"idempotency_key": "k", "message": []}]}, 400, "invalid", "messages.0.message"),
        ({"partnership": "not-a-uuid"}, 400, "invalid", "partnership"),
        ({"partnership": str(uuid.UUID(int=7))}, 409, "partnership_conflict", "partnership"),
    ],
)
def test_a_malformed_batch_is_refused_whole_signed_with_its_field_and_changes_nothing(
    api, remote, body, status, code, field
):
    items = [notice(remote, "note 1")]
    data = {"partnership": str(remote.partnership.reference), "messages": items, **body}
    before = table_counts()

    response = remote.send(
        api, remote.sign("POST", BATCH_PATH, canonical_json(data), idempotency_key=str(uuid.uuid4()))
    )

    assert response.status_code == status, response.content
    assert (body_json(response)["code"], body_json(response)["field"]) == (code, field)
    verify_reply(response)
    assert table_counts() == {**before, "crossborder.SeenNonce": before["crossborder.SeenNonce"] + 1}  # only its nonce


def test_a_batch_of_more_than_100_messages_is_refused_whole(api, remote):
    before = table_counts()
    items = [notice(remote, f"note {n}") for n in range(101)]

    response = send_batch(api, remote, items)

    assert response.status_code == 400, response.content
    assert body_json(response)["field"] == "messages"
    assert table_counts() == {**before, "crossborder.SeenNonce": before["crossborder.SeenNonce"] + 1}  # only its nonce


def test_a_batch_needs_no_idempotency_key_of_its_own_each_message_carries_one(api, remote):
    body = canonical_json({"partnership": str(remote.partnership.reference), "messages": [notice(remote, "note 1")]})

    response = remote.send(api, remote.sign("POST", BATCH_PATH, body))

    assert response.status_code == 200, response.content
    assert [r["status"] for r in body_json(response)["results"]] == [200]
    assert subjects() == ["note 1"]


def test_a_body_that_is_not_an_object_is_refused_whole(api, remote):
    before = table_counts()

    response = remote.send(api, remote.sign("POST", BATCH_PATH, b"[]", idempotency_key=str(uuid.uuid4())))

    assert response.status_code == 400, response.content
    assert body_json(response)["code"] == "invalid"
    verify_reply(response)
    assert table_counts() == {**before, "crossborder.SeenNonce": before["crossborder.SeenNonce"] + 1}
