"""Reads of the platform core: the querysets the admin and pages show, built once."""

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery

from .models import InboxMessage, OutboxMessage, Partner, Partnership, PartnershipEvent


def partner_status_rows():
    """Per partner: live partnership, last message sent and received, backlog, last error.
    A fixed number of queries whatever the number of partners."""
    last_error = (
        OutboxMessage.objects.filter(partnership__partner=OuterRef("pk"))
        .exclude(last_error="")
        .order_by("-next_attempt_at", "-pk")
        .values("last_error")[:1]
    )
    live = Partnership.objects.filter(partner=OuterRef("pk"), status__in=Partnership.LIVE_STATUSES)
    return Partner.objects.annotate(
        last_sent_at=Max("partnerships__outbox__delivered_at"),
        backlog=Count("partnerships__outbox", filter=Q(partnerships__outbox__status=OutboxMessage.Status.PENDING)),
        rejected=Count("partnerships__outbox", filter=Q(partnerships__outbox__status=OutboxMessage.Status.REJECTED)),
        last_error=Subquery(last_error),
        partnership_status=Subquery(live.values("status")[:1]),
        partnership_id=Subquery(live.values("pk")[:1]),
        last_received_at=Subquery(
            InboxMessage.objects.filter(partner=OuterRef("pk"), status=InboxMessage.Status.DONE)
            .order_by("-completed_at")
            .values("completed_at")[:1]
        ),
    ).order_by("code")


def live_partnerships():
    return (
        Partnership.objects.filter(status=Partnership.Status.ACTIVE).select_related("partner").order_by("partner__code")
    )


def trading_since():
    """When the first of our partnerships that went live was set up (None: none ever did): how far
    back our records of trade with partners reach. A proposal still open, or declined, never traded."""
    return (
        Partnership.objects.exclude(status=Partnership.Status.PROPOSED)
        .exclude(events__kind=PartnershipEvent.Kind.DECLINED)
        .aggregate(since=Min("created_at"))["since"]
    )


def partner_choices():
    """(code, name) of every partner we know, by code: the dashboard's partner filter."""
    return list(Partner.objects.order_by("code").values_list("code", "name"))
