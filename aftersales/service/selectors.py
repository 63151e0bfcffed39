"""Reads of the service pages, each in a fixed number of queries whatever the number of tickets,
events or messages."""

from django.db.models import Case, IntegerField, Prefetch, Value, When

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
    """The tickets of an order, for its page: one query."""
    return list(ServiceTicket.objects.filter(order=order).select_related("skill").order_by("requested_at", "pk"))


def tickets_of_orders(orders):
    """The service tickets of these orders, newest first (a shopper's account page): one query."""
    return list(
        ServiceTicket.objects.filter(order__in=orders).select_related("skill", "order").order_by("-requested_at", "-pk")
    )
