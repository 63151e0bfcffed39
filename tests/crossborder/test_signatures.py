"""The partner API accepts only well-signed requests from active partner keys, and every refusal
answers a specific code and changes nothing."""

import datetime as dt
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from crossborder import signing
from crossborder.client import canonical_json
from crossborder.models import PartnerKey, PartnerNotice, Partnership
from tests.partners import MESSAGES_PATH, body_json, table_counts, verify_reply

pytestmark = pytest.mark.django_db

NOTICE = {"subject": "Spring Festival stock", "body": "Ship by the 10th."}


def signed_notice(remote, **sign_kwargs):
    body = canonical_json(remote.envelope("partner.notice", NOTICE))
    return remote.sign("POST", MESSAGES_PATH, body, idempotency_key=str(uuid.uuid4()), **sign_kwargs), body


def assert_refused(api, remote, prepared, code, status=401, body=None):
    before = table_counts()
    response = remote.send(api, prepared, body=body)
    assert response.status_code == status, response.content
    assert body_json(response)["code"] == code
    assert table_counts() == before
    return response


def test_well_signed_message_is_accepted_and_the_reply_is_signed_and_bound_to_it(api, remote):
    prepared, _ = signed_notice(remote)

    response = remote.send(api, prepared)

    assert response.status_code == 200, response.content
    assert PartnerNotice.objects.get().subject == NOTICE["subject"]
    sig = verify_reply(response)
    assert set(signing.RESPONSE_COMPONENTS) <= {c.strip('"') if c.count('"') == 2 else c for c in sig.covered} | set(
        sig.covered
    )


def test_reply_verification_fails_if_bound_to_another_request(api, remote):
    prepared, _ = signed_notice(remote)
    response = remote.send(api, prepared)
    other, _ = signed_notice(remote)
    response.prepared = other

    with pytest.raises(signing.SignatureRefused) as refused:
        verify_reply(response)
    assert refused.value.code == "signature_invalid"


def test_request_without_signature_is_refused(api, remote):
    prepared, _ = signed_notice(remote)
    del prepared.headers["Signature"]
    del prepared.headers["Signature-Input"]
    assert_refused(api, remote, prepared, "signature_missing")


def test_session_cookie_instead_of_signature_is_refused(api, remote, settings):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    api.force_login(user)
    assert settings.SESSION_COOKIE_NAME in api.cookies
    before = table_counts()

    response = api.post(
        MESSAGES_PATH,
        data=canonical_json(remote.envelope("partner.notice", NOTICE)),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    assert response.status_code == 401
    assert body_json(response)["code"] == "session_not_accepted"
    assert table_counts() == before


def test_tampered_signature_is_refused(api, remote):
    prepared, _ = signed_notice(remote)
    label, value = prepared.headers["Signature"].split("=", 1)
    raw = bytearray(__import__("base64").b64decode(value.strip(":")))
    raw[0] ^= 0xFF
    prepared.headers["Signature"] = f"{label}=:{__import__('base64').b64encode(bytes(raw)).decode()}:"
    assert_refused(api, remote, prepared, "signature_invalid")


def test_signature_by_another_key_under_a_known_key_id_is_refused(api, remote):
    impostor_key = remote.add_key(register=False)
    prepared, _ = signed_notice(remote, key_id=remote.current, private_key=remote.keys[impostor_key][0])
    assert_refused(api, remote, prepared, "signature_invalid")


def test_unknown_key_is_refused(api, remote):
    unknown = remote.add_key(register=False)
    prepared, _ = signed_notice(remote, key_id=unknown)
    assert_refused(api, remote, prepared, "key_unknown")


def test_key_past_its_validity_is_refused(api, remote):
    PartnerKey.objects.filter(key_id=remote.current).update(not_after=timezone.now() - dt.timedelta(minutes=1))
    prepared, _ = signed_notice(remote)
    assert_refused(api, remote, prepared, "key_expired")


def test_revoked_key_is_refused(api, remote):
    PartnerKey.objects.filter(key_id=remote.current).update(status=PartnerKey.Status.REVOKED)
    prepared, _ = signed_notice(remote)
    assert_refused(api, remote, prepared, "key_revoked")


def test_disabled_partner_is_refused(api, remote):
    remote.partner.status = "disabled"
    remote.partner.save()
    prepared, _ = signed_notice(remote)
    assert_refused(api, remote, prepared, "partner_inactive", status=403)


def test_partner_whose_partnership_ended_is_refused(api, remote):
    Partnership.objects.filter(pk=remote.partnership.pk).update(status=Partnership.Status.ENDED)
    prepared, _ = signed_notice(remote)
    assert_refused(api, remote, prepared, "partner_inactive", status=403)


def test_stale_signature_is_refused(api, remote):
    prepared, _ = signed_notice(remote, created=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=300 + 61))
    assert_refused(api, remote, prepared, "signature_stale")


def test_signature_from_the_future_beyond_skew_is_refused(api, remote):
    prepared, _ = signed_notice(remote, created=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90))
    assert_refused(api, remote, prepared, "signature_from_future")


def test_clock_skew_within_a_minute_is_allowed(api, remote):
    prepared, _ = signed_notice(remote, created=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=40))
    assert remote.send(api, prepared).status_code == 200


def test_signature_valid_for_longer_than_the_window_is_refused(api, remote):
    prepared, _ = signed_notice(remote, expires_in=86400)
    assert_refused(api, remote, prepared, "signature_malformed")


def test_replayed_nonce_is_refused_and_changes_nothing(api, remote):
    prepared, _ = signed_notice(remote)
    assert remote.send(api, prepared).status_code == 200
    assert PartnerNotice.objects.count() == 1

    assert_refused(api, remote, prepared, "nonce_replayed")
    assert PartnerNotice.objects.count() == 1


def test_body_not_matching_the_digest_is_refused(api, remote):
    prepared, body = signed_notice(remote)
    tampered = body.replace(b"Spring", b"Autumn")
    assert_refused(api, remote, prepared, "digest_mismatch", body=tampered)


@pytest.mark.parametrize("left_out", ["content-digest", "content-type", "@authority", "@path", "@query", "@method"])
def test_signature_missing_a_required_component_is_refused(api, remote, left_out):
    components = tuple(c for c in signing.REQUEST_COMPONENTS if c != left_out)
    prepared, _ = signed_notice(remote, components=components)
    response = assert_refused(api, remote, prepared, "component_missing")
    assert left_out in body_json(response)["detail"]


def test_signature_with_another_tag_is_refused(api, remote):
    prepared, _ = signed_notice(remote, tag="some-other-api")
    assert_refused(api, remote, prepared, "wrong_tag")


def test_malformed_signature_input_is_refused(api, remote):
    prepared, _ = signed_notice(remote)
    prepared.headers["Signature-Input"] = "partner=(((not a dictionary"
    assert_refused(api, remote, prepared, "signature_malformed")


def test_refusals_are_signed_too(api, remote):
    prepared, _ = signed_notice(remote, tag="some-other-api")
    response = remote.send(api, prepared)
    assert response.status_code == 401
    assert verify_reply(response).key_id
