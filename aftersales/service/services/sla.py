"""The SLA sweep (beat task aftersales.mark_service_breaches): a ticket not scheduled by its
schedule due time, or not completed by its completion due time, has that breach recorded once,
with when, on the ticket and its timeline, and ops are told. Safe to run twice at once: each breach
is a conditional UPDATE of a still-empty column, and its event is unique."""

from django.db import transaction
from django.utils import timezone

from ...models import ServiceTicket, TicketEvent
from .tickets import tell_ops

Status = ServiceTicket.Status
NOT_SCHEDULED = (Status.REQUESTED, Status.DISPATCHED, Status.ACCEPTED, Status.ESCALATED)
NOT_DONE = (*NOT_SCHEDULED, Status.SCHEDULED)
# breach -> (the ticket's column, its due time, the statuses that miss it)
BREACHES = {
    "schedule": ("schedule_breached_at", "schedule_due_at", NOT_SCHEDULED),
    "complete": ("complete_breached_at", "complete_due_at", NOT_DONE),
}


def mark_breaches(*, now=None, batch=500):
    """Record every breach due by `now`; returns how many were recorded by this run."""
    now = now or timezone.now()
    recorded = 0
    for breach, (column, due, statuses) in BREACHES.items():
        due_ids = list(
            ServiceTicket.objects.filter(
                **{f"{due}__lte": now, f"{column}__isnull": True, "status__in": statuses}
            ).values_list("pk", flat=True)[:batch]
        )
        recorded += sum(_record(pk, breach, column, due, statuses, now) for pk in due_ids)
    return recorded


def _record(pk, breach, column, due, statuses, now):
    with transaction.atomic():
        changed = ServiceTicket.objects.filter(
            pk=pk, status__in=statuses, **{f"{due}__lte": now, f"{column}__isnull": True}
        ).update(**{column: now})
        if not changed:
            return 0  # another sweep got there first, or the ticket moved on
        ticket = ServiceTicket.objects.select_related("skill", "provider").get(pk=pk)
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.SLA_BREACHED,
            actor=TicketEvent.Actor.SYSTEM,
            note=breach,
            detail={"due": getattr(ticket, due).isoformat()},
            created_at=now,
        )
        tell_ops(ticket, "service_breached", f"breach:{breach}", breach=breach, due=getattr(ticket, due).isoformat())
    return 1
