"""The protocol version travels in every request and reply (`Partner-Protocol`, covered by the
signature): a partner on 1.0 sends none and keeps working, an unknown minor is read as ours, an
unknown major is refused with a signed 400 and nothing changed (docs/partner-protocol.md section 7)."""

import uuid

import pytest
import requests

from crossborder import signing
from crossborder.client import canonical_json
from crossborder.models import PartnerNotice
from tests.partners import MESSAGES_PATH, body_json, table_counts, verify_reply

pytestmark = pytest.mark.django_db

NOTICE = {"subject": "Spring Festival stock", "body": "Ship by the 10th."}
WITH_VERSION = (*signing.REQUEST_COMPONENTS, signing.PROTOCOL_COMPONENT)


def notice(remote, version=None, components=WITH_VERSION):
    body = canonical_json(remote.envelope("partner.notice", NOTICE))
    headers = {signing.PROTOCOL_HEADER: version} if version is not None else {}
    return remote.sign(
        "POST", MESSAGES_PATH, body, idempotency_key=str(uuid.uuid4()), headers=headers, components=components
    )


def covered(sig):
    return {c.split(";")[0].strip('"') for c in sig.covered}


def test_a_request_of_this_version_is_applied_and_the_reply_says_and_signs_the_version(api, remote):
    response = remote.send(api, notice(remote, signing.PROTOCOL_VERSION))

    assert response.status_code == 200, response.content
    assert PartnerNotice.objects.count() == 1
    assert response.headers[signing.PROTOCOL_HEADER] == "1.2"
    assert signing.PROTOCOL_COMPONENT in covered(verify_reply(response))


def test_a_partner_on_the_previous_version_without_the_header_still_works(api, remote):
    response = remote.send(api, notice(remote, None, components=signing.REQUEST_COMPONENTS))

    assert response.status_code == 200, response.content
    assert PartnerNotice.objects.count() == 1
    assert response.headers[signing.PROTOCOL_HEADER] == "1.2"
    verify_reply(response)


def test_a_later_minor_version_is_read_as_ours(api, remote):
    response = remote.send(api, notice(remote, "1.7"))

    assert response.status_code == 200, response.content
    assert PartnerNotice.objects.count() == 1


@pytest.mark.parametrize("version", ["2.0", "0.9", "one", "1", "1.1.1"])
def test_an_unknown_major_or_a_malformed_version_is_refused_signed_and_changes_nothing(api, remote, version):
    before = table_counts()

    response = remote.send(api, notice(remote, version))

    assert response.status_code == 400, response.content
    assert body_json(response)["code"] == "unsupported_protocol_version"
    assert table_counts() == before
    verify_reply(response)


def test_a_version_header_outside_the_signature_is_refused(api, remote):
    before = table_counts()

    response = remote.send(api, notice(remote, "1.1", components=signing.REQUEST_COMPONENTS))

    assert response.status_code == 401, response.content
    assert body_json(response)["code"] == "component_missing"
    assert table_counts() == before


def test_a_version_changed_after_signing_does_not_verify(api, remote):
    prepared = notice(remote, "1.1")
    prepared.headers[signing.PROTOCOL_HEADER] = "1.0"

    response = remote.send(api, prepared)

    assert response.status_code == 401, response.content
    assert body_json(response)["code"] == "signature_invalid"
    assert PartnerNotice.objects.count() == 0


def test_our_client_sends_the_version_and_signs_it(own_key):
    prepared = requests.Request("POST", "http://partner.invalid/partner-api/v1/messages/", data=b"{}").prepare()

    signing.sign_request(
        prepared, key_id=own_key.key_id, private_key=signing.load_private(own_key.private_key_pem), body=b"{}"
    )

    assert prepared.headers[signing.PROTOCOL_HEADER] == "1.2"
    assert signing.PROTOCOL_COMPONENT in covered(signing.parse_signature_input(prepared.headers))
