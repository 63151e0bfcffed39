"""Reads of the service pages, each in a fixed number of queries whatever the number of tickets,
events or messages."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.utils import timezone

from ..models import Message, ServiceTicket, TicketEvent

_OPEN_FIRST = Case(When(status__in=ServiceTicket.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())


def provider_tickets(provider):
    """The provider's tickets, open ones first, newest first: one query."""
    return list(
        ServiceTicket.objects.filter(provider=provider)
        .select_related("skill")
        .annotate(closed=_OPEN_FIRST)
        .order_by("closed", "-requested_at", "-pk")[:200]
    )


def _with_timeline(tickets):
    return tickets.select_related("skill", "provider", "thread").prefetch_related(
        Prefetch("events", queryset=TicketEvent.objects.order_by("created_at", "pk")),
        Prefetch("thread__messages", queryset=Message.objects.order_by("created_at", "pk")),
    )


def ticket_for_shopper(token):
    """The ticket of a shopper's link with its timeline and messages (four queries), or None."""
    if not isinstance(token, str) or len(token) > 64:
        return None
    return _with_timeline(ServiceTicket.objects.filter(token=token)).first()


def ticket_for_provider(provider, reference):
    """One of the provider's tickets with its timeline and messages, or None."""
    return _with_timeline(ServiceTicket.objects.filter(provider=provider, reference=reference)).first()


def order_tickets(order):
    """The shopper's tickets of an order, for its page (a returned unit's repair at our warehouse is
    ours, not the shopper's): one query."""
    return list(
        ServiceTicket.objects.filter(order=order)
        .exclude(source=ServiceTicket.Source.RETURNED_UNIT)
        .select_related("skill")
        .order_by("requested_at", "pk")
    )


@dataclass(frozen=True)
class ProviderStatement:
    """What the platform owes one provider for a month: each ticket it completed then (its cost,
    posted to `provider_payables` under the ticket's ledger reference) and the total per currency."""

    provider: object
    month: dt.date
    tickets: list
    totals: dict


def month_start(value=None):
    """The first day of the month `value` names ("2026-12"), or of this month; None for a bad value."""
    if value in (None, ""):
        return timezone.localdate().replace(day=1)
    try:
        return dt.datetime.strptime(str(value).strip()[:7], "%Y-%m").date()
    except ValueError:
        return None


def provider_statement(provider, month):
    """The provider's statement for the month starting `month` (platform time): one query."""
    start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine((month + dt.timedelta(days=32)).replace(day=1), dt.time.min))
    done = list(
        ServiceTicket.objects.filter(
            provider=provider, status=ServiceTicket.Status.COMPLETED, completed_at__gte=start, completed_at__lt=end
        )
        .select_related("skill")
        .order_by("completed_at", "pk")
    )
    totals = {}
    for ticket in done:
        currency = str(ticket.cost.currency)
        totals[currency] = totals.get(currency, 0) + ticket.cost.amount
    return ProviderStatement(provider=provider, month=month, tickets=done, totals=totals)


def tickets_of_orders(orders):
    """The shopper's service tickets of these orders, newest first (a shopper's account page; a returned
    unit's repair at our warehouse is ours, not the shopper's): one query."""
    return list(
        ServiceTicket.objects.filter(order__in=orders)
        .exclude(source=ServiceTicket.Source.RETURNED_UNIT)
        .select_related("skill", "order")
        .order_by("-requested_at", "-pk")
    )
