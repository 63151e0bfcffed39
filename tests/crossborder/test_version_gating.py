"""The sending side speaks each partner's version (docs/partner-protocol.md section 7): it records
the Partner-Protocol of the partner's latest signed request or reply (none: 1.0) and sends a
message type only to a partner whose version knows it; an older partner gets the type's older
form (a `partner.alert` goes to a 1.0 partner as a `partner.notice`), or nothing when it has none
(withheld, a gap in the seq). A repeat goes out in the form of the first attempt."""

import uuid

import pytest

from crossborder import client, messages, outbox, services, signing
from crossborder.client import canonical_json
from crossborder.models import OutboxMessage, Partner, PartnerNotice
from tests.partners import MESSAGES_PATH, body_json

pytestmark = pytest.mark.django_db


class VersionedPartner:
    """Stands in for client.call_partner: records what was sent, answers 200 with a version."""

    def __init__(self, version, *statuses):
        self.version = version
        self.statuses = list(statuses)
        self.sent = []

    def __call__(self, partner, method, path, *, payload, idempotency_key):
        self.sent.append(payload)
        headers = {signing.PROTOCOL_HEADER: self.version} if self.version else {}
        status = self.statuses.pop(0) if self.statuses else 200
        return client.PartnerReply(status, {"type": payload["type"], "seq": payload["seq"], "result": {}}, headers)


@pytest.fixture
def partner_on(monkeypatch):
    def install(version, *statuses):
        fake = VersionedPartner(version, *statuses)
        monkeypatch.setattr(outbox.client, "call_partner", fake)
        return fake

    return install


def set_version(remote, version):
    Partner.objects.filter(pk=remote.partnership.partner_id).update(protocol_version=version)


def test_the_version_of_a_partners_signed_request_is_recorded_and_none_reads_as_1_0(api, remote):
    body = canonical_json(remote.envelope("partner.notice", {"subject": "hello"}))
    headers = {signing.PROTOCOL_HEADER: "1.1"}
    components = (*signing.REQUEST_COMPONENTS, signing.PROTOCOL_COMPONENT)
    prepared = remote.sign("POST", MESSAGES_PATH, body, idempotency_key=str(uuid.uuid4()), headers=headers,
                           components=components)  # fmt: skip

    assert remote.send(api, prepared).status_code == 200
    partner = Partner.objects.get(pk=remote.partnership.partner_id)
    assert partner.protocol_version == "1.1"

    body = canonical_json(remote.envelope("partner.notice", {"subject": "from an older build"}))
    remote.send(api, remote.sign("POST", MESSAGES_PATH, body, idempotency_key=str(uuid.uuid4())))
    partner.refresh_from_db()
    assert partner.protocol_version == "1.0"
    assert services.partner_version(partner) == (1, 0)


def test_a_partner_on_the_new_version_gets_the_new_message_type(remote, partner_on):
    set_version(remote, "1.1")
    fake = partner_on("1.1")
    services.send_notice(partnership=remote.partnership, subject="Warehouse closed", severity="critical")

    outbox.relay_partnership(remote.partnership.pk)

    assert [(m["type"], m["payload"]) for m in fake.sent] == [
        ("partner.alert", {"subject": "Warehouse closed", "body": "", "severity": "critical"})
    ]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.DELIVERED


def test_a_partner_on_the_previous_version_gets_the_older_form_and_keeps_working(remote, partner_on):
    fake = partner_on(None)  # a 1.0 partner: no header in its replies, never heard from before
    services.send_notice(partnership=remote.partnership, subject="Warehouse closed", severity="critical")
    services.send_notice(partnership=remote.partnership, subject="Back tomorrow")

    result = outbox.relay_partnership(remote.partnership.pk)

    assert result.delivered == 2
    assert [(m["seq"], m["type"], m["payload"]["subject"]) for m in fake.sent] == [
        (1, "partner.notice", "[critical] Warehouse closed"),
        (2, "partner.notice", "Back tomorrow"),
    ]
    assert list(OutboxMessage.objects.order_by("seq").values_list("sent_as", flat=True)) == [
        "partner.notice",
        "partner.notice",
    ]
    first = PartnerNotice.objects.filter(direction="sent").order_by("sent_seq").first()
    assert first.subject == "[critical] Warehouse closed"  # what we show is what the partner shows


def test_a_repeat_goes_out_in_the_form_of_the_first_attempt_even_if_the_partner_upgraded(remote, partner_on):
    fake = partner_on("1.1", 503)  # the first attempt fails; its reply says the partner is on 1.1 now
    services.send_notice(partnership=remote.partnership, subject="Warehouse closed", severity="warning")

    outbox.relay_partnership(remote.partnership.pk)
    OutboxMessage.objects.update(next_attempt_at=OutboxMessage.objects.get().created_at)
    outbox.relay_partnership(remote.partnership.pk)

    assert [m["type"] for m in fake.sent] == ["partner.notice", "partner.notice"]
    assert Partner.objects.get(pk=remote.partnership.partner_id).protocol_version == "1.1"
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.DELIVERED


def test_a_type_without_an_older_form_is_withheld_from_an_older_partner_and_the_outbox_moves_on(
    remote, partner_on, monkeypatch
):
    newer = messages.MessageType(**{**messages.get("partner.alert").__dict__, "since": (1, 1), "older_form": None})
    monkeypatch.setitem(messages._registry, "partner.alert", newer)
    fake = partner_on(None)
    services.send_notice(partnership=remote.partnership, subject="Warehouse closed", severity="critical")
    services.send_notice(partnership=remote.partnership, subject="Back tomorrow")

    result = outbox.relay_partnership(remote.partnership.pk)

    assert (result.withheld, result.delivered) == (1, 1)
    assert [m["seq"] for m in fake.sent] == [2]
    assert list(OutboxMessage.objects.order_by("seq").values_list("status", flat=True)) == ["withheld", "delivered"]


def test_a_received_alert_is_recorded_as_the_notice_an_older_partner_would_get(api, remote):
    payload = {"subject": "Warehouse closed", "body": "Flood", "severity": "critical"}
    body = canonical_json(remote.envelope("partner.alert", payload))

    response = remote.send(api, remote.sign("POST", MESSAGES_PATH, body, idempotency_key=str(uuid.uuid4())))

    assert response.status_code == 200, response.content
    assert body_json(response)["result"]["severity"] == "critical"
    notice = PartnerNotice.objects.get()
    assert (notice.subject, notice.body) == ("[critical] Warehouse closed", "Flood")
    assert (notice.subject, notice.body) == tuple(services.alert_as_notice(payload)[1].values())


def test_an_unknown_severity_is_refused_and_nothing_is_queued(remote):
    with pytest.raises(services.DomainError) as refused:
        services.send_notice(partnership=remote.partnership, subject="x", severity="panic")

    assert refused.value.field == "severity"
    assert OutboxMessage.objects.count() == 0
