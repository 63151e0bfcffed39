"""The partner API's limits answer with their documented codes, signed, nothing changed: a body
over CROSSBORDER_PARTNER_API_MAX_BODY_BYTES is 413 too_large before it is read, and requests past
CROSSBORDER_PARTNER_API_RATE per partner are 429 throttled with Retry-After."""

import uuid

import pytest
from django.core.cache import cache

from crossborder.client import canonical_json
from crossborder.models import PartnerNotice
from tests.partners import MESSAGES_PATH, body_json, table_counts, verify_reply

pytestmark = pytest.mark.django_db

HEALTH = "/partner-api/v1/health/"


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_a_body_over_the_limit_is_refused_too_large_signed_and_changes_nothing(api, remote, settings):
    settings.PARTNER_API = {**settings.PARTNER_API, "MAX_BODY_BYTES": 1000}
    envelope = remote.envelope("partner.notice", {"subject": "big", "body": "x" * 1200})
    before = table_counts()

    response = remote.send(
        api, remote.sign("POST", MESSAGES_PATH, canonical_json(envelope), idempotency_key=str(uuid.uuid4()))
    )

    assert response.status_code == 413, response.content
    assert body_json(response)["code"] == "too_large"
    assert set(body_json(response)) >= {"code", "detail", "field"}
    assert table_counts() == before
    verify_reply(response)


def test_a_body_within_the_limit_is_applied(api, remote, settings):
    settings.PARTNER_API = {**settings.PARTNER_API, "MAX_BODY_BYTES": 5000}
    envelope = remote.envelope("partner.notice", {"subject": "fits", "body": "x" * 1200})

    response = remote.send(
        api, remote.sign("POST", MESSAGES_PATH, canonical_json(envelope), idempotency_key=str(uuid.uuid4()))
    )

    assert response.status_code == 200, response.content
    assert PartnerNotice.objects.count() == 1


def test_requests_past_the_rate_are_throttled_with_retry_after_signed(api, remote, settings):
    settings.PARTNER_API = {**settings.PARTNER_API, "RATE": "3/minute"}

    answers = [remote.send(api, remote.sign("GET", HEALTH)) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert body_json(refused)["code"] == "throttled"
    assert int(refused.headers["Retry-After"]) > 0
    verify_reply(refused)


def test_a_throttled_message_is_not_applied(api, remote, settings):
    settings.PARTNER_API = {**settings.PARTNER_API, "RATE": "1/minute"}
    remote.send(api, remote.sign("GET", HEALTH))
    envelope = remote.envelope("partner.notice", {"subject": "later"})

    response = remote.send(
        api, remote.sign("POST", MESSAGES_PATH, canonical_json(envelope), idempotency_key=str(uuid.uuid4()))
    )

    assert response.status_code == 429, response.content
    assert PartnerNotice.objects.count() == 0
