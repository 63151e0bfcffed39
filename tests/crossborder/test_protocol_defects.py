"""The defects a partner written from the documentation alone found (issue 19), one test each: every
refusal is the documented JSON error {code, detail, field}, signed and bound, a 4xx, and changes no
row but the remembered nonce; a message is applied at most once per partnership."""

import json
import uuid
from urllib.parse import quote

import pytest

from crossborder.client import canonical_json
from crossborder.models import PartnerNotice
from tests.partners import MESSAGES_PATH, body_json, table_counts, verify_reply

pytestmark = pytest.mark.django_db
NONCES = "crossborder.SeenNonce"
NOTICE = {"subject": "Spring Festival stock", "body": "Ship by the 10th."}


def assert_signed_refusal(response, status, code, before, *, bound=True):
    assert response.status_code == status, response.content
    body = body_json(response)
    assert {"code", "detail", "field"} <= body.keys()
    assert body["code"] == code, body
    assert response.has_header("Signature")
    if bound:
        verify_reply(response)
    after = table_counts()
    assert {k: v for k, v in after.items() if k != NONCES} == {k: v for k, v in before.items() if k != NONCES}
    return body


def post_envelope(api, remote, envelope, *, idempotency_key=None):
    body = envelope if isinstance(envelope, bytes) else canonical_json(envelope)
    prepared = remote.sign("POST", MESSAGES_PATH, body, idempotency_key=idempotency_key or str(uuid.uuid4()))
    return remote.send(api, prepared)


# --- signatures ---------------------------------------------------------------------------------


def test_a_signature_header_without_a_partner_member_is_a_signed_401(api, remote):
    body = canonical_json(remote.envelope("partner.notice", NOTICE))
    prepared = remote.sign("POST", MESSAGES_PATH, body, idempotency_key="k-1")
    prepared.headers["Signature"] = prepared.headers["Signature"].replace("partner=", "other=", 1)
    before = table_counts()

    response = remote.send(api, prepared)

    assert_signed_refusal(response, 401, "signature_malformed", before, bound=False)


def test_a_signature_header_without_a_partner_member_on_an_unknown_address_is_a_signed_404(api, remote):
    prepared = remote.sign("GET", "/partner-api/v1/nowhere/")
    prepared.headers["Signature"] = prepared.headers["Signature"].replace("partner=", "other=", 1)
    before = table_counts()

    response = remote.send(api, prepared)

    assert_signed_refusal(response, 404, "not_found", before, bound=False)


def test_expires_earlier_than_created_is_refused(api, remote):
    body = canonical_json(remote.envelope("partner.notice", NOTICE))
    prepared = remote.sign("POST", MESSAGES_PATH, body, idempotency_key="k-1", expires_in=-1)
    before = table_counts()

    response = remote.send(api, prepared)

    assert_signed_refusal(response, 401, "signature_malformed", before)


# --- the envelope's seq ---------------------------------------------------------------------------


def test_seq_beyond_the_database_integer_range_is_a_signed_400(api, remote):
    before = table_counts()

    response = post_envelope(api, remote, remote.envelope("partner.notice", NOTICE, seq=2**63))

    assert_signed_refusal(response, 400, "invalid", before)


def test_seq_given_as_a_string_is_refused(api, remote):
    before = table_counts()

    response = post_envelope(api, remote, remote.envelope("partner.notice", NOTICE, seq="1"))

    assert assert_signed_refusal(response, 400, "invalid", before)["field"] == "seq"


def test_a_message_sent_again_with_a_new_idempotency_key_is_applied_once_and_answered_as_a_replay(api, remote):
    envelope = remote.envelope("partner.notice", NOTICE)
    first = post_envelope(api, remote, envelope)
    assert first.status_code == 200, first.content
    before = table_counts()

    again = post_envelope(api, remote, envelope)

    assert again.status_code == 200, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert body_json(again) == body_json(first)
    assert PartnerNotice.objects.count() == 1
    assert {k: v for k, v in table_counts().items() if k != NONCES} == {k: v for k, v in before.items() if k != NONCES}


def test_a_reused_seq_with_another_message_is_refused_and_changes_nothing(api, remote):
    post_envelope(api, remote, remote.envelope("partner.notice", NOTICE, seq=1))
    before = table_counts()

    response = post_envelope(api, remote, remote.envelope("partner.notice", {"subject": "Other"}, seq=1))

    assert_signed_refusal(response, 422, "seq_reused", before)
    assert PartnerNotice.objects.count() == 1


def test_a_seq_lower_than_one_already_applied_is_refused_as_out_of_order(api, remote):
    post_envelope(api, remote, remote.envelope("partner.notice", NOTICE, seq=5))
    before = table_counts()

    response = post_envelope(api, remote, remote.envelope("partner.notice", {"subject": "Late"}, seq=4))

    assert_signed_refusal(response, 422, "seq_out_of_order", before)


def test_a_gap_in_seq_is_accepted(api, remote):
    post_envelope(api, remote, remote.envelope("partner.notice", NOTICE, seq=1))

    response = post_envelope(api, remote, remote.envelope("partner.notice", {"subject": "Next"}, seq=7))

    assert response.status_code == 200, response.content
    assert PartnerNotice.objects.count() == 2


def test_json_nested_ten_thousand_deep_is_a_signed_400(api, remote):
    body = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    before = table_counts()

    response = post_envelope(api, remote, body)

    assert_signed_refusal(response, 400, "too_deep", before)


# --- charges ----------------------------------------------------------------------------------------


def charge(amount, currency="USD"):
    return {"reference": f"fee-{uuid.uuid4()}", "kind": "warehouse_fee", "amount": amount, "currency": currency}


@pytest.mark.parametrize("amount", ["1e400", "1e20", "1E+20", "-1e400"])
def test_a_charge_amount_beyond_any_column_is_a_signed_400(api, remote, amount):
    before = table_counts()

    response = post_envelope(api, remote, remote.envelope("ledger.charge", charge(amount)))

    assert_signed_refusal(response, 400, "invalid_amount", before)


@pytest.mark.parametrize("currency", ["XXX", "XTS", "XAU", "ABC"])
def test_a_charge_in_no_currency_is_refused(api, remote, currency):
    before = table_counts()

    response = post_envelope(api, remote, remote.envelope("charge.notice", charge("1.00", currency)))

    assert assert_signed_refusal(response, 400, "invalid_payload", before)["field"] == "payload.currency"


# --- the catalog feed -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "since",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "9999-12-31T23:59:59Z",
        "2025-01-01T00:00:00+23:59",
    ],
)
def test_updated_since_beyond_the_database_range_is_a_signed_400(api, remote, since):
    prepared = remote.sign("GET", f"/partner-api/v1/catalog/?updated_since={quote(since)}")
    before = table_counts()

    response = remote.send(api, prepared)

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert assert_signed_refusal(response, 400, "invalid", before)["field"] == "updated_since"
    else:
        verify_reply(response)


# --- proposals --------------------------------------------------------------------------------------


def test_a_repeated_partnership_proposal_answers_as_a_replay(api, own_key):
    from crossborder import services
    from crossborder.models import Partner
    from tests.crossborder.test_keys_and_partnerships import proposal, propose
    from tests.partners import RemotePartner

    prospect = RemotePartner(
        Partner(code="us", name="Trailhead Goods", country="US", currency="USD", base_url="http://us.example"), None
    )
    prospect.add_key(register=False)
    _, token = services.create_invitation(auto_accept=True)
    data = proposal(prospect, token)
    first = propose(api, prospect, data)
    assert first.status_code == 201
    assert not first.has_header("Idempotent-Replayed")

    again = propose(api, prospect, data)

    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert json.loads(again.content)["reference"] == data["reference"]
