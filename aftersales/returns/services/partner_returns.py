"""The exporter's side of a partner's return of our goods: each `return.notice` step the importer
reports (opened, received, graded, refunded, exchanged) is recorded once, for ops to read beside
the order the partner forwarded us. A repeat of a step changes nothing."""

import datetime as dt

from django.db import IntegrityError, transaction

from ...models import PartnerReturnNotice


def receive_return_notice(*, partnership, payload):
    """Record one step of a partner's return; the first record of it wins."""
    occurred = payload["at"]
    if isinstance(occurred, str):
        occurred = dt.datetime.fromisoformat(occurred)
    fields = {
        "order_reference": payload["order"],
        "order_number": payload["order_number"],
        "reason": payload["reason"],
        "lines": payload["lines"],
        "occurred_at": occurred,
    }
    try:
        with transaction.atomic():
            notice, _created = PartnerReturnNotice.objects.get_or_create(
                partnership=partnership, return_reference=payload["return"], step=payload["step"], defaults=fields
            )
    except IntegrityError:  # the same step delivered twice at once: the other one recorded it
        notice = PartnerReturnNotice.objects.get(
            partnership=partnership, return_reference=payload["return"], step=payload["step"]
        )
    return notice
