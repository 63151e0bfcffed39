"""Key rotation without a refused request, partnership proposals by invitation, and the
partnership lifecycle kept in step on both sides."""

import datetime as dt
import subprocess
import sys
import threading
import uuid

import pytest
import requests
from django.utils import timezone

from crossborder import outbox, services, signing
from crossborder.client import canonical_json
from crossborder.models import (
    OutboxMessage,
    Partner,
    PartnerKey,
    PartnerNotice,
    Partnership,
    PartnershipInvitation,
    SigningKey,
)
from tests.partners import RemotePartner, body_json, table_counts, verify_reply
from tests.payments.test_production_providers import with_a_real_provider

pytestmark = pytest.mark.django_db


def deliver_all(monkeypatch):
    """Acknowledge every queued message as a healthy partner would."""
    from crossborder import client

    monkeypatch.setattr(outbox.client, "call_partner", lambda *a, **k: client.PartnerReply(200, {}, {}))
    return outbox.relay_all()


# --- our own key rotation -------------------------------------------------------------------


def test_rotation_publishes_the_new_key_before_it_signs_anything(remote, own_key):
    new = services.rotate_signing_key()

    assert SigningKey.objects.get(status="current") == own_key
    assert new.status == "next"
    announcement = OutboxMessage.objects.get(message_type=services.KEYS_UPDATED)
    assert {k["key_id"] for k in announcement.payload["keys"]} == {own_key.key_id, new.key_id}
    assert services.promote_next_signing_key() is None  # the partner has not acknowledged yet


def test_new_key_signs_once_every_partner_acknowledged_and_the_old_stays_published(remote, own_key, monkeypatch):
    new = services.rotate_signing_key()

    deliver_all(monkeypatch)  # the after-delivery hook promotes

    assert SigningKey.objects.get(status="current") == new
    old = SigningKey.objects.get(pk=own_key.pk)
    assert old.status == "previous" and old.retire_after > timezone.now()


def test_previous_key_retires_after_the_grace_period_and_partners_are_told(remote, own_key, monkeypatch):
    services.rotate_signing_key()
    deliver_all(monkeypatch)

    retired = services.retire_previous_signing_keys(now=timezone.now() + dt.timedelta(days=8))

    assert retired == 1
    assert SigningKey.objects.get(pk=own_key.pk).status == "retired"
    last = OutboxMessage.objects.filter(message_type=services.KEYS_UPDATED).order_by("-seq").first()
    assert own_key.key_id not in {k["key_id"] for k in last.payload["keys"]}


def test_a_second_rotation_waits_for_the_first(remote, own_key):
    services.rotate_signing_key()
    with pytest.raises(services.DomainError) as refused:
        services.rotate_signing_key()
    assert refused.value.code == "invalid_state"


def test_without_partners_the_new_key_signs_at_once(own_key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        new = services.rotate_signing_key()
    assert SigningKey.objects.get(status="current") == new


# --- the partner's key rotation -------------------------------------------------------------


def test_partner_rotation_keeps_both_keys_valid_then_revokes_the_old(api, remote):
    old = remote.current
    new = remote.add_key(register=False)

    assert remote.post_message(api, services.KEYS_UPDATED, {"keys": remote.published(old, new)}).status_code == 200
    assert set(PartnerKey.objects.filter(status="active").values_list("key_id", flat=True)) == {old, new}
    assert remote.post_message(api, "partner.notice", {"subject": "old key"}, key_id=old).status_code == 200
    assert remote.post_message(api, "partner.notice", {"subject": "new key"}, key_id=new).status_code == 200

    assert (
        remote.post_message(api, services.KEYS_UPDATED, {"keys": remote.published(new)}, key_id=new).status_code == 200
    )
    refused = remote.post_message(api, "partner.notice", {"subject": "old again"}, key_id=old)
    assert refused.status_code == 401 and body_json(refused)["code"] == "key_revoked"


def test_a_key_id_cannot_be_rebound_to_another_public_key(api, remote):
    other = remote.add_key(register=False)
    hijack = [{"key_id": remote.current, "algorithm": "ed25519", "public_key": remote.keys[other][1]}]

    response = remote.post_message(api, services.KEYS_UPDATED, {"keys": hijack})

    assert response.status_code == 400
    assert PartnerKey.objects.get(key_id=remote.current).public_key == remote.keys[remote.current][1]


@pytest.mark.django_db(transaction=True)
def test_rotation_under_a_stream_of_requests_refuses_none(live_server, remote, own_key, monkeypatch):
    """A partner streams requests while it rotates its key and we rotate ours: every request is
    accepted and every reply verifies against the keys we had published."""
    remote.host = live_server.url.removeprefix("http://")
    stop = threading.Event()
    outcomes = []
    published = {own_key.key_id: signing.load_public(own_key.public_key)}

    def stream():
        with requests.Session() as session:
            n = 0
            while not stop.is_set():
                n += 1
                with SENDING:  # seqs go out in order, as the partner's outbox sends them
                    body = canonical_json(remote.envelope("partner.notice", {"subject": f"n{n}"}))
                    prepared = remote.sign("POST", "/partner-api/v1/messages/", body, idempotency_key=str(uuid.uuid4()))
                    response = session.send(prepared, timeout=10)
                try:
                    signing.verify_response(response, public_keys=dict(published))
                    outcomes.append(response.status_code)
                except signing.SignatureRefused as exc:
                    outcomes.append(exc.code)

    worker = threading.Thread(target=stream)
    worker.start()
    try:
        _wait_for_count(outcomes, 5)
        # The partner rotates: announce old + new (signed with old), switch, then drop old.
        old, new = remote.current, remote.add_key(register=False)
        _announce(remote, live_server, remote.published(old, new))
        remote.current = new
        _wait_for_count(outcomes, len(outcomes) + 5)
        _announce(remote, live_server, remote.published(new))
        # We rotate: the new key is published to the partner first, then signs.
        ours = services.rotate_signing_key()
        published[ours.key_id] = signing.load_public(ours.public_key)
        deliver_all(monkeypatch)
        assert SigningKey.objects.get(status="current") == ours
        _wait_for_count(outcomes, len(outcomes) + 5)
    finally:
        stop.set()
        worker.join()

    assert outcomes and set(outcomes) == {200}, outcomes
    assert PartnerNotice.objects.count() == len(outcomes)


# One message at a time from the partner, in seq order (a later seq applied first would make the
# earlier one seq_out_of_order).
SENDING = threading.Lock()


def _announce(remote, live_server, keys):
    with SENDING:
        body = canonical_json(remote.envelope(services.KEYS_UPDATED, {"keys": keys}))
        prepared = remote.sign("POST", "/partner-api/v1/messages/", body, idempotency_key=str(uuid.uuid4()))
        assert requests.Session().send(prepared, timeout=10).status_code == 200


def _wait_for_count(outcomes, n, timeout=20):
    deadline = timezone.now() + dt.timedelta(seconds=timeout)
    while len(outcomes) < n and timezone.now() < deadline:
        threading.Event().wait(0.05)
    assert len(outcomes) >= n


# --- proposals ------------------------------------------------------------------------------


@pytest.fixture
def prospect(db, own_key):
    """A platform that holds one of our invitations but is not yet our partner."""
    partner = Partner(code="us", name="Trailhead Goods", country="US", currency="USD", base_url="http://us.example")
    prospect = RemotePartner(partner, partnership=None)
    prospect.add_key(register=False)
    return prospect


def proposal(prospect, token, **terms):
    return {
        "reference": str(uuid.uuid4()),
        "invitation": token,
        "platform": {
            "code": "us",
            "name": "Trailhead Goods",
            "country": "US",
            "currency": "USD",
            "languages": ["en"],
            "base_url": "http://us.example",
        },
        "keys": prospect.published(prospect.current),
        "terms": {
            "settlement_currency": "USD",
            "commission_rate": "0.08",
            "fee_schedule": {"warehouse_storage_per_unit_day": "0.02"},
            "category_scope": [537],
            "settlement_cutoff": "23:00",
            "starts_on": timezone.localdate().isoformat(),
            **terms,
        },
    }


def propose(api, prospect, data):
    body = canonical_json(data)
    prepared = prospect.sign("POST", "/partner-api/v1/partnerships/", body, idempotency_key=data["reference"])
    return prospect.send(api, prepared)


def test_proposal_with_an_auto_accept_invitation_creates_an_active_partnership(api, prospect):
    _, token = services.create_invitation(label="us", auto_accept=True)
    data = proposal(prospect, token)

    response = propose(api, prospect, data)

    assert response.status_code == 201, response.content
    reply = body_json(response)
    assert reply["status"] == "active" and reply["reference"] == data["reference"]
    partnership = Partnership.objects.get(reference=data["reference"])
    assert partnership.partner.code == "us" and partnership.initiated_by == "partner"
    assert str(partnership.commission_rate) == "0.0800"
    assert PartnerKey.objects.filter(partner=partnership.partner, key_id=prospect.current).exists()
    assert PartnershipInvitation.objects.get().used_at is not None
    # The reply carries our keys and is signed with one of them.
    keys = {k["key_id"]: signing.load_public(k["public_key"]) for k in reply["keys"]}
    assert verify_reply(response, keys)


def test_a_repeated_proposal_returns_the_same_partnership(api, prospect):
    _, token = services.create_invitation(auto_accept=True)
    data = proposal(prospect, token)
    propose(api, prospect, data)

    again = propose(api, prospect, data)

    assert again.status_code == 200
    assert Partnership.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.update(invitation="not-the-token-we-gave"), "invitation_invalid"),
        (lambda d: d["terms"].update(commission_rate="1.5"), "invalid"),
        (lambda d: d["terms"].update(settlement_currency="DOLLARS"), "invalid"),
        (lambda d: d["platform"].update(code="cn"), "invalid_terms"),
        (lambda d: d["keys"][0].update(public_key="bm90IGEga2V5"), "invalid_payload"),
    ],
)
def test_bad_proposals_are_refused_and_change_nothing(api, prospect, settings, change, code):
    settings.PLATFORM_CODE = "cn"
    _, token = services.create_invitation(auto_accept=True)
    data = proposal(prospect, token)
    change(data)
    before = table_counts()

    response = propose(api, prospect, data)

    assert response.status_code in (400, 401, 403), response.content
    assert body_json(response)["code"] == code
    after = table_counts()
    after.pop("crossborder.SeenNonce")
    before.pop("crossborder.SeenNonce")
    assert after == before


def test_a_used_invitation_cannot_be_used_again(api, prospect):
    _, token = services.create_invitation()
    propose(api, prospect, proposal(prospect, token))
    Partnership.objects.update(status="ended")

    response = propose(api, prospect, proposal(prospect, token))

    assert response.status_code == 403
    assert body_json(response)["code"] == "invitation_invalid"


def test_proposal_signed_with_a_key_it_does_not_carry_is_refused(api, prospect):
    _, token = services.create_invitation()
    data = proposal(prospect, token)
    stranger = prospect.add_key(register=False)
    body = canonical_json(data)
    prepared = prospect.sign("POST", "/partner-api/v1/partnerships/", body, key_id=stranger, idempotency_key="x")

    response = prospect.send(api, prepared)

    assert response.status_code == 400
    assert body_json(response)["code"] == "key_unknown"
    assert Partnership.objects.count() == 0


# --- lifecycle ------------------------------------------------------------------------------


def test_suspending_tells_the_partner_and_resuming_too(remote):
    services.suspend_partnership(partnership=remote.partnership, reason="late settlement")
    services.resume_partnership(partnership=remote.partnership)

    sent = list(OutboxMessage.objects.order_by("seq").values_list("message_type", "payload"))
    assert sent == [
        ("partnership.suspended", {"reason": "late settlement"}),
        ("partnership.resumed", {"reason": ""}),
    ]
    assert list(remote.partnership.events.values_list("kind", flat=True)) == ["resumed", "suspended"]


def test_ending_a_partnership_tells_the_partner_before_it_is_ended(remote):
    services.change_partnership_status(partnership=remote.partnership, action="end", reason="closing down")

    sent = list(OutboxMessage.objects.values_list("message_type", "payload"))
    assert sent == [("partnership.ended", {"reason": "closing down"})]
    assert Partnership.objects.get(pk=remote.partnership.pk).status == "ended"


def test_declining_a_proposal_tells_the_proposer(remote):
    Partnership.objects.filter(pk=remote.partnership.pk).update(status="proposed")

    services.change_partnership_status(partnership=remote.partnership, action="decline", reason="not now")

    sent = list(OutboxMessage.objects.values_list("message_type", "payload"))
    assert sent == [("partnership.declined", {"reason": "not now"})]
    assert Partnership.objects.get(pk=remote.partnership.pk).status == "ended"


def test_a_suspension_by_the_partner_suspends_our_side(api, remote):
    response = remote.post_message(api, "partnership.suspended", {"reason": "agreement breach"})

    assert response.status_code == 200
    partnership = Partnership.objects.get(pk=remote.partnership.pk)
    assert partnership.status == "suspended" and partnership.status_reason == "agreement breach"
    assert OutboxMessage.objects.count() == 0  # nothing echoed back


def test_an_impossible_transition_is_refused_with_its_reason(remote):
    with pytest.raises(services.DomainError) as refused:
        services.resume_partnership(partnership=remote.partnership)
    assert refused.value.code == "invalid_state"
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"commission_rate": "-0.1"}, "commission_rate"),
        ({"commission_rate": "0.12345"}, "commission_rate"),
        ({"settlement_currency": "US"}, "settlement_currency"),
        ({"fee_schedule": {"storage": "-1"}}, "fee_schedule"),
        ({"fee_schedule": {"storage": "abc"}}, "fee_schedule"),
        ({"category_scope": ["baby"]}, "category_scope"),
        ({"starts_on": "2026-12-01", "ends_on": "2026-11-01"}, "ends_on"),
    ],
)
def test_invalid_terms_name_the_wrong_field(terms, field):
    with pytest.raises(services.DomainError) as refused:
        services.validate_terms(terms)
    assert refused.value.field == field


# --- production settings --------------------------------------------------------------------


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    # Production takes real money only (no sandbox, crossborder.E020-E025): a real provider is registered
    # the way the README says, with its secret from the environment.
    env = with_a_real_provider(tmp_path, DJANGO_ALLOWED_HOSTS="cn.example.com")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "CROSSBORDER_ENV": "production", "CROSSBORDER_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
