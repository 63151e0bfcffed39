"""The inbox: each state-changing partner request's idempotency key, stored with its effect.

A first request claims its key (committed at once, so a concurrent repeat sees it and gets 409),
then runs its effect and stores its answer in one transaction. A repeat gets the stored answer;
the same key with a different body gets 422. If the effect fails, the claim is dropped and
nothing at all remains of the request.

A partner message (POST /messages/) is moreover claimed by its identity, (partnership, seq):
whatever its idempotency key, it is applied at most once; the same seq with another type or
payload is refused (seq_reused), and a seq below the highest applied one is refused as out of
order (seq_out_of_order). Gaps are allowed: they are the messages we refused, which leave no
trace. Messages of one partnership apply one at a time, in the order of their seq
(docs/adr/0030)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import DomainError
from .errors import PartnerAPIErrorCode as Code
from .models import InboxMessage, InboxSequence
from .signing import body_hash


@dataclass
class InboxAnswer:
    status: int
    body: dict
    replayed: bool = False


def _claim_until():
    return timezone.now() + dt.timedelta(seconds=settings.PARTNER_API["INBOX_CLAIM_SECONDS"])


def _check_key(idempotency_key):
    if not idempotency_key:
        raise DomainError(
            Code.IDEMPOTENCY_KEY_MISSING,
            "State-changing calls need an Idempotency-Key header.",
            field="Idempotency-Key",
        )
    if len(idempotency_key) > 100:
        raise DomainError(Code.INVALID_PAYLOAD, "Idempotency-Key has at most 100 characters.", field="Idempotency-Key")


def process_once(*, partner, idempotency_key, body, endpoint, effect):
    """Run `effect()` -> (status, body) at most once per (partner, idempotency key)."""
    _check_key(idempotency_key)
    claim = {"partner": partner, "idempotency_key": idempotency_key, "request_hash": body_hash(body)}
    row = _claim(claim, endpoint=endpoint)
    if isinstance(row, InboxAnswer):
        return row
    return _run(row, effect)


def apply_message_once(*, partner, partnership, idempotency_key, body, message_type, seq, message_hash, effect):
    """Run `effect()` -> (status, body) at most once per (partner, idempotency key) and at most
    once per (partnership, seq), after every lower seq of the partnership applied."""
    _check_key(idempotency_key)
    claim = {"partner": partner, "idempotency_key": idempotency_key, "request_hash": body_hash(body)}
    identity = {"partnership": partnership, "seq": seq, "message_type": message_type, "message_hash": message_hash}
    row = _claim(claim, endpoint="messages", identity=identity)
    if isinstance(row, InboxAnswer):
        return row

    def in_order():
        sequence = _locked_sequence(partnership)
        if seq < sequence.last_applied_seq:
            raise DomainError(
                Code.SEQ_OUT_OF_ORDER,
                f"Message {seq} arrives after message {sequence.last_applied_seq} was applied; "
                "messages are applied in the order of their seq.",
                field="seq",
                status=422,
            )
        answer = effect()
        InboxSequence.objects.filter(pk=sequence.pk).update(last_applied_seq=seq)
        return answer

    return _run(row, in_order)


def _locked_sequence(partnership):
    InboxSequence.objects.get_or_create(partnership=partnership)
    return InboxSequence.objects.select_for_update().get(partnership=partnership)


def _claim(claim, *, endpoint, identity=None):
    """The committed claim row of a first request, or the answer to give a repeat."""
    try:
        with transaction.atomic():
            return InboxMessage.objects.create(
                **claim, **(identity or {}), endpoint=endpoint, claim_until=_claim_until()
            )
    except IntegrityError:
        pass
    row = InboxMessage.objects.filter(partner=claim["partner"], idempotency_key=claim["idempotency_key"]).first()
    if row is not None:
        return _repeat_of_key(row, claim["request_hash"])
    row = identity and InboxMessage.objects.filter(partnership=identity["partnership"], seq=identity["seq"]).first()
    if not row:
        # The claim we collided with was dropped since (its effect failed): the sender may try again.
        raise DomainError(Code.REQUEST_IN_FLIGHT, "This message is being processed; try again.", status=409)
    if row.message_hash != identity["message_hash"]:
        raise DomainError(
            Code.SEQ_REUSED,
            f"Message {identity['seq']} of this partnership was another message (type or payload differ).",
            field="seq",
            status=422,
        )
    return _repeat(row)


def _repeat_of_key(row, digest):
    if row.request_hash != digest:
        raise DomainError(
            Code.IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was used with a different body.",
            field="Idempotency-Key",
            status=422,
        )
    return _repeat(row)


def _repeat(row):
    """The first answer of a request done, the claim of one whose process died, or 409."""
    if row.status == InboxMessage.Status.DONE:
        return InboxAnswer(row.response_status, row.response_body, replayed=True)
    # Still processing: in flight, unless its claim lapsed (the process handling it died).
    taken = InboxMessage.objects.filter(
        pk=row.pk, status=InboxMessage.Status.PROCESSING, claim_until__lt=timezone.now()
    ).update(claim_until=_claim_until())
    if not taken:
        raise DomainError(Code.REQUEST_IN_FLIGHT, "This request or message is still being processed.", status=409)
    return row


def _run(row, effect):
    try:
        with transaction.atomic():
            locked = InboxMessage.objects.select_for_update().get(pk=row.pk)
            if locked.status == InboxMessage.Status.DONE:
                return InboxAnswer(locked.response_status, locked.response_body, replayed=True)
            status, response = effect()
            locked.status = InboxMessage.Status.DONE
            locked.response_status = status
            locked.response_body = response
            locked.completed_at = timezone.now()
            locked.save()
            return InboxAnswer(status, response)
    except BaseException:
        InboxMessage.objects.filter(pk=row.pk, status=InboxMessage.Status.PROCESSING).delete()
        raise
