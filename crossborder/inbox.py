"""The inbox: each state-changing partner request's idempotency key, stored with its effect.

A first request claims its key (committed at once, so a concurrent repeat sees it and gets 409),
then runs its effect and stores its answer in one transaction. A repeat gets the stored answer;
the same key with a different body gets 422. If the effect fails, the claim is dropped and
nothing at all remains of the request."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import DomainError
from .errors import PartnerAPIErrorCode as Code
from .models import InboxMessage
from .signing import body_hash


@dataclass
class InboxAnswer:
    status: int
    body: dict
    replayed: bool = False


def _claim_until():
    return timezone.now() + dt.timedelta(seconds=settings.PARTNER_API["INBOX_CLAIM_SECONDS"])


def process_once(*, partner, idempotency_key, body, endpoint, effect, message_type="", seq=None):
    """Run `effect()` -> (status, body) at most once per (partner, idempotency key)."""
    if not idempotency_key:
        raise DomainError(
            Code.IDEMPOTENCY_KEY_MISSING,
            "State-changing calls need an Idempotency-Key header.",
            field="Idempotency-Key",
        )
    if len(idempotency_key) > 100:
        raise DomainError(Code.INVALID_PAYLOAD, "Idempotency-Key has at most 100 characters.", field="Idempotency-Key")
    digest = body_hash(body)
    try:
        with transaction.atomic():
            row = InboxMessage.objects.create(
                partner=partner,
                idempotency_key=idempotency_key,
                request_hash=digest,
                endpoint=endpoint,
                message_type=message_type,
                seq=seq,
                claim_until=_claim_until(),
            )
    except IntegrityError:
        row = InboxMessage.objects.get(partner=partner, idempotency_key=idempotency_key)
        if row.request_hash != digest:
            raise DomainError(
                Code.IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was used with a different body.",
                field="Idempotency-Key",
                status=422,
            ) from None
        if row.status == InboxMessage.Status.DONE:
            return InboxAnswer(row.response_status, row.response_body, replayed=True)
        # Still processing: in flight, unless its claim lapsed (the process handling it died).
        taken = InboxMessage.objects.filter(
            pk=row.pk, status=InboxMessage.Status.PROCESSING, claim_until__lt=timezone.now()
        ).update(claim_until=_claim_until())
        if not taken:
            raise DomainError(
                Code.REQUEST_IN_FLIGHT, "A request with this Idempotency-Key is still being processed.", status=409
            ) from None
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
