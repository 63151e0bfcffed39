"""The outbox relay: delivers queued partner messages in `seq` order per partnership.

One relay at a time per partnership holds a lease (a conditional UPDATE, so two workers or a beat
that fires twice cannot both send). A message is sent outside any transaction with its own
idempotency key; if the worker dies mid-send, the lease lapses and the next relay sends it again,
and the partner's inbox answers the repeat with its first answer: exactly one effect.

The lease is renewed before each send and released as soon as the relay stops, so it only has to
outlast one send: by default twice the partner timeout plus 5 s (25 s), which is how long a crashed
worker delays its partnership's messages. A send that outlives it anyway (a partner trickling its
answer) is still safe: the next relay's repeat is answered 409 or with the first answer, and the
late relay may record nothing once its lease is gone."""

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import client, hooks, messages, services, signing
from .models import OutboxMessage, Partnership, RelayLease

log = logging.getLogger(__name__)

MESSAGES_PATH = "/partner-api/v1/messages/"
BATCH_PATH = "/partner-api/v1/messages/batch/"
BATCH_SINCE = (1, 2)  # the protocol version that added batches
# Statuses after which retrying the same message cannot succeed: the partner read it and said no.
PERMANENT_REFUSALS = {400, 404, 413, 422}


@dataclass
class RelayResult:
    delivered: int = 0
    rejected: int = 0
    failed: int = 0
    withheld: int = 0
    skipped: bool = False


def backoff_delay(attempts):
    """Exponential backoff with full jitter, capped."""
    base, cap = settings.OUTBOX["BACKOFF_BASE"], settings.OUTBOX["BACKOFF_CAP"]
    ceiling = min(cap, base * (2 ** min(attempts, 30)))
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _claim(partnership_id, token):
    """Take the partnership's lease if it is free or lapsed. The lease is a row of its own (never the
    partnership's, which a paying order keeps locked until it commits)."""
    RelayLease.objects.get_or_create(partnership_id=partnership_id)
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.OUTBOX["LEASE_SECONDS"])
    return (
        RelayLease.objects.filter(partnership_id=partnership_id)
        .filter(Q(until__isnull=True) | Q(until__lt=now))
        .update(until=now + lease, token=token)
    )


def _release(partnership_id, token):
    RelayLease.objects.filter(partnership_id=partnership_id, token=token).update(until=None, token=None)


def envelope(message, form=None):
    message_type, payload = form or (message.message_type, message.payload)
    return {
        "type": message_type,
        "seq": message.seq,
        "partnership": str(message.partnership.reference),
        "sent_at": message.created_at.isoformat(),
        "payload": payload,
    }


def wire_form(message):
    """(type, payload) the message goes out as: the type its partner's protocol version knows, its
    older form for an older partner (docs/partner-protocol.md section 7), chosen at the first
    attempt and kept for the repeats; None when that version has no form of it (withheld)."""
    if messages.get(message.message_type) is None:
        return message.message_type, message.payload
    if not message.sent_as:
        form = messages.form_for(
            message.message_type, message.payload, services.partner_version(message.partnership.partner)
        )
        if form is None:
            return None
        if OutboxMessage.objects.filter(pk=message.pk, sent_as="").update(sent_as=form[0]):
            message.sent_as = form[0]
        else:  # an earlier attempt chose it (a relay that lost its lease)
            message.sent_as = OutboxMessage.objects.values_list("sent_as", flat=True).get(pk=message.pk)
    return next(form for form in messages.forms(message.message_type, message.payload) if form[0] == message.sent_as)


def _send(message, body=None):
    """One delivery attempt, outside any transaction. Returns (outcome, status, body, error).
    `body`: the envelope's canonical JSON when the caller already wrote it."""
    partner = message.partnership.partner
    form = wire_form(message)
    if form is None:
        version = partner.protocol_version or signing.UNSTATED_VERSION
        return "withheld", None, None, f"not sent: {message.message_type} is unknown to protocol {version}"
    try:
        reply = client.call_partner(
            partner,
            "POST",
            MESSAGES_PATH,
            payload=envelope(message, form),
            idempotency_key=message.idempotency_key,
            **({} if body is None else {"body": body}),
        )
    except (client.PartnerUnreachable, client.PartnerResponseUnverified) as exc:
        return "retry", None, None, str(exc)
    services.record_partner_version(partner, reply.headers)
    if reply.ok:
        return "delivered", reply.status, reply.data, ""
    detail = f"HTTP {reply.status}: {reply.data}"
    if reply.status in PERMANENT_REFUSALS:
        return "rejected", reply.status, reply.data, detail
    return "retry", reply.status, reply.data, detail


def _record(message, token, outcome, status, body, error):
    """Store the attempt's outcome, only if this relay still holds the lease and the message is still
    pending: a relay whose lease lapsed during a slow send must not overwrite what a newer relay
    recorded (e.g. turn a delivered message back into a pending one). Returns whether it was stored."""
    now = timezone.now()
    message.attempts += 1
    changes = {
        "attempts": message.attempts,
        "response_status": status,
        "response_body": body if isinstance(body, (dict, list)) else None,
        "last_error": error[:2000],
    }
    if outcome == "delivered":
        changes.update(status=OutboxMessage.Status.DELIVERED, delivered_at=now)
    elif outcome == "rejected":
        changes.update(status=OutboxMessage.Status.REJECTED)
    elif outcome == "withheld":
        changes.update(status=OutboxMessage.Status.WITHHELD)
    else:
        changes.update(next_attempt_at=now + backoff_delay(message.attempts))
    held = RelayLease.objects.filter(partnership_id=message.partnership_id, token=token).values("partnership_id")
    stored = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.PENDING, partnership_id__in=held
    ).update(**changes)
    for field, value in changes.items():
        setattr(message, field, value)
    return bool(stored)


def relay_partnership(partnership_id):
    """Deliver due messages of one partnership in order, stopping at the first that must wait. To a
    partner on protocol 1.2 or later several go in one signed request (`messages/batch/`)."""
    token = uuid.uuid4()
    result = RelayResult()
    if not _claim(partnership_id, token):
        result.skipped = True
        return result
    try:
        budget = settings.OUTBOX["BATCH"]
        while budget > 0:
            due = _due_messages(partnership_id, min(budget, _per_request(partnership_id)))
            if not due:
                break
            if not _claim_renew(partnership_id, token):
                # The lease lapsed since the last send (a slow after-delivery hook, a paused
                # process) and another relay may hold it now: sending on would send out of order.
                log.warning("outbox relay for partnership %s lost its lease between sends; stopping", partnership_id)
                break
            if len(due) > 1:
                attempts = _send_batch(due)
            else:
                read_payloads(due)
                attempts = [(due[0], _send(due[0]))]
            go_on = bool(attempts)
            for message, (outcome, status, body, error) in attempts:
                budget -= 1
                if not _record(message, token, outcome, status, body, error):
                    log.warning("outbox relay for partnership %s lost its lease mid-send; stopping", partnership_id)
                    go_on = False
                    break
                if outcome == "delivered":
                    result.delivered += 1
                    _after_delivery(message)
                elif outcome == "rejected":
                    result.rejected += 1
                    log.error("partner rejected outbox message %s: %s", message.pk, error)
                elif outcome == "withheld":
                    result.withheld += 1
                    log.warning("outbox message %s withheld: %s", message.pk, error)
                else:
                    result.failed += 1
                    log.warning("outbox message %s to wait: %s", message.pk, error)
                    go_on = False
                    break
            if not go_on:
                break
    finally:
        _release(partnership_id, token)
    return result


def _per_request(partnership_id):
    """How many messages one request may carry to this partnership's partner: several from
    protocol 1.2 (docs/partner-protocol.md section 3), else one."""
    partner = Partnership.objects.select_related("partner").get(pk=partnership_id).partner
    return settings.OUTBOX["SEND_BATCH"] if services.partner_version(partner) >= BATCH_SINCE else 1


def _due_messages(partnership_id, limit):
    """The partnership's pending messages in seq order, up to the first that is not due yet,
    without their payloads (read_payloads reads them as a send needs them)."""
    pending = list(
        OutboxMessage.objects.select_related("partnership__partner")
        .filter(partnership_id=partnership_id, status=OutboxMessage.Status.PENDING)
        .defer("payload")
        .order_by("seq")[:limit]
    )
    now = timezone.now()
    for position, message in enumerate(pending):
        if message.next_attempt_at > now:
            return pending[:position]
    return pending


def read_payloads(messages):
    """Read these messages' payloads in one query (those not read yet)."""
    unread = [message for message in messages if "payload" not in message.__dict__]
    if unread:
        payloads = dict(
            OutboxMessage.objects.filter(pk__in=[m.pk for m in unread]).order_by().values_list("pk", "payload")
        )
        for message in unread:
            message.payload = payloads[message.pk]


def _send_batch(due):
    """Send the leading messages of `due` in one request. Returns [(message, attempt)] for the
    messages the partner handled, in order (a message without a result was not applied and stays
    pending, untouched); a request that fails as a whole counts as the first message's attempt."""
    budget = batch_budget(due[0].partnership.partner)
    items, sizes, size, read = [], [], 0, 0
    for position, message in enumerate(due):
        if position == read:
            # Payloads are read as the request fills: the first alone, then 2, 4, 8... more, so a
            # first message that fills the request (a 1 MB handoff part) costs no other's reading.
            read = min(len(due), 2 * read or 1)
            read_payloads(due[position:read])
        form = wire_form(message)
        if form is None:  # withheld: recorded on its own, in its turn
            break
        key = str(message.idempotency_key)
        written = client.canonical_json(envelope(message, form))
        # The item's size without writing it again: its canonical JSON holds the envelope's as is.
        size += len(written) + len(client.canonical_json({"idempotency_key": key, "message": {}})) - 2
        if items and size > budget:
            break
        items.append((message, {"idempotency_key": key, "message": envelope(message, form)}))
        sizes.append(size)
        if not position:
            first_written = written
        if size >= budget:  # full with this one: no need to write the next
            break
    first, partner = items[0][0] if items else due[0], due[0].partnership.partner
    while True:
        if len(items) < 2:
            return [(first, _send(first, body=first_written if items else None))]
        payload = {"partnership": str(first.partnership.reference), "messages": [item for _, item in items]}
        try:
            reply = client.call_partner(partner, "POST", BATCH_PATH, payload=payload, idempotency_key=uuid.uuid4())
        except (client.PartnerUnreachable, client.PartnerResponseUnverified) as exc:
            return [(first, ("retry", None, None, str(exc)))]
        services.record_partner_version(partner, reply.headers)
        if reply.status == 404:  # no batches there after all: one alone
            return [(first, _send(first))]
        if reply.status != 413:
            break
        # Too large for the partner: half as many bytes now and in this process's next batches to it.
        _refused_bytes[partner.pk] = sizes[len(items) - 1]
        half = batch_budget(partner)
        kept = [n for n, total in enumerate(sizes) if total <= half]
        items = items[: len(kept) or 1]
    results = reply.data.get("results") if reply.ok and isinstance(reply.data, dict) else None
    if not isinstance(results, list) or not results or len(results) > len(items):
        return [(first, ("retry", reply.status, reply.data, f"batch HTTP {reply.status}: {reply.data}"))]
    attempts = []
    for (message, _item), answer in zip(items, results, strict=False):
        if (
            not isinstance(answer, dict)
            or answer.get("seq") != message.seq
            or not isinstance(answer.get("status"), int)
        ):
            attempts.append((message, ("retry", reply.status, answer, f"batch reply out of step at seq {message.seq}")))
            break
        status, body = answer["status"], answer.get("reply")
        if 200 <= status < 300:
            attempts.append((message, ("delivered", status, body, "")))
            continue
        outcome = "rejected" if status in PERMANENT_REFUSALS else "retry"
        attempts.append((message, (outcome, status, body, f"HTTP {status} (in a batch): {body}")))
        break
    return attempts


# Per process, per partner: the size of the smallest batch the partner refused as too large (413).
_refused_bytes = {}


def batch_budget(partner):
    """How many bytes of messages one batch to this partner may carry: SEND_BATCH_BYTES, or half of
    what the partner last refused as too large."""
    budget = settings.OUTBOX["SEND_BATCH_BYTES"]
    refused = _refused_bytes.get(partner.pk)
    return budget if refused is None else min(budget, refused // 2)


def _claim_renew(partnership_id, token):
    """Extend the lease for one more send, if this relay still holds it (and it has not lapsed)."""
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.OUTBOX["LEASE_SECONDS"])
    return bool(
        RelayLease.objects.filter(partnership_id=partnership_id, token=token, until__gte=now).update(until=now + lease)
    )


def _after_delivery(message):
    hooks.message_delivered.fire(message=message)  # a failure is logged: the delivery stands


def partnerships_with_due_messages():
    return list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
        .values_list("partnership_id", flat=True)
        .distinct()
    )


def relay_all():
    total = RelayResult()
    for partnership_id in partnerships_with_due_messages():
        result = relay_partnership(partnership_id)
        total.delivered += result.delivered
        total.rejected += result.rejected
        total.failed += result.failed
    return total
