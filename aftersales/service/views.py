"""The service pages: the provider's own page (a signed link, no account: its tickets, and on each
the steps it takes and the conversation), the shopper's ticket page (its token: the timeline, the
conversation, the rating), and the shopper's request for a repair or maintenance of a delivered
order. Each view parses, calls one service and renders; a refusal is shown next to its field."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crossborder.errors import DomainError
from payments.shop import selectors as shop_selectors
from payments.shop.services import paying

from ..errors import ServiceErrorCode
from ..models import Message, ReturnRequest, Skill
from . import selectors
from .services import links, tickets

PROVIDER_ACTIONS = ("accept", "schedule", "complete", "unrepairable", "escalate", "message")
SHOPPER_ACTIONS = ("message", "rate", "pay", "cancel")
# A payment that did not go through leaves the ticket awaiting payment; its page says so.
PAYMENT_FAILED = ("declined", "failed", "cancelled")


def _unknown_action():
    return DomainError(ServiceErrorCode.INVALID, _("Unknown action."), field="action")


def _status(error):
    return error.status if error.status in (403, 404, 409) else 400


def _provider_or_refusal(request, token):
    try:
        return links.provider_for_token(token), None
    except DomainError as error:
        response = render(
            request, "aftersales/service/link_refused.html", {"error": error.detail}, status=_status(error)
        )
        response["Referrer-Policy"] = "same-origin"
        return None, response


def _private(response):
    """Token pages are nobody else's: no referrer carries the token to another site, and no cache keeps them."""
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the provider's page -------------------------------------------------------------------------


def provider_home(request, token):
    provider, refusal = _provider_or_refusal(request, token)
    if refusal:
        return refusal
    context = {"provider": provider, "tickets": selectors.provider_tickets(provider), "token": token}
    return _private(render(request, "aftersales/service/provider_home.html", context))


def _provider_ticket_page(request, token, provider, ticket, *, errors=None, values=None, status=200):
    context = {
        "provider": provider,
        "ticket": ticket,
        "token": token,
        "errors": errors or {},
        "values": values or {},
        "now": timezone.localtime(),
    }
    return _private(render(request, "aftersales/service/provider_ticket.html", context, status=status))


@require_http_methods(["GET", "POST"])
def provider_ticket(request, token, reference):
    provider, refusal = _provider_or_refusal(request, token)
    if refusal:
        return refusal
    ticket = selectors.ticket_for_provider(provider, reference)
    if ticket is None:
        raise Http404("No such ticket")
    if request.method == "GET":
        return _provider_ticket_page(request, token, provider, ticket)
    action = request.POST.get("action", "")
    try:
        _provider_step(action, ticket, provider, request.POST)
    except DomainError as error:
        ticket = selectors.ticket_for_provider(provider, reference)
        return _provider_ticket_page(
            request, token, provider, ticket, errors={action if action in PROVIDER_ACTIONS else "form": error.detail},
            values=request.POST, status=_status(error),
        )  # fmt: skip
    return redirect(reverse("service:provider_ticket", args=[token, reference]))


def _provider_step(action, ticket, provider, data):
    if action == "accept":
        return tickets.accept(ticket=ticket, provider=provider)
    if action == "schedule":
        return tickets.schedule(ticket=ticket, provider=provider, at=data.get("scheduled_for", ""))
    if action == "complete":
        return tickets.complete(ticket=ticket, provider=provider, note=data.get("note", ""))
    if action == "unrepairable":
        return tickets.report_unrepairable(ticket=ticket, provider=provider, note=data.get("note", ""))
    if action == "escalate":
        return tickets.escalate(ticket=ticket, provider=provider, reason=data.get("reason", ""))
    if action == "message":
        return tickets.write_message(
            ticket=ticket, author=Message.Author.PROVIDER, provider=provider, body=data.get("body", "")
        )
    raise _unknown_action()


# --- the shopper's ticket page -------------------------------------------------------------------


def _payment_context(ticket):
    if ticket.status != ticket.Status.AWAITING_PAYMENT:
        return {}
    latest = tickets.latest_payment(ticket)
    return {
        "payment_failed": latest is not None and latest.state in PAYMENT_FAILED,
        "payment_methods": paying.payment_methods(),
    }


def _shopper_page(request, ticket, *, errors=None, values=None, status=200):
    context = {"ticket": ticket, "errors": errors or {}, "values": values or {}, **_payment_context(ticket)}
    return _private(render(request, "aftersales/service/ticket.html", context, status=status))


@require_http_methods(["GET", "POST"])
def ticket(request, token):
    found = selectors.ticket_for_shopper(token)
    if found is None:
        raise Http404("No such ticket")
    if request.method == "GET":
        return _shopper_page(request, found)
    action = request.POST.get("action", "")
    try:
        if action == "rate":
            tickets.rate(ticket=found, rating=request.POST.get("rating", ""), comment=request.POST.get("comment", ""))
        elif action == "message":
            tickets.write_message(ticket=found, author=Message.Author.SHOPPER, body=request.POST.get("body", ""))
        elif action == "pay":
            payment = tickets.start_ticket_payment(
                ticket=found,
                provider=request.POST.get("provider", ""),
                return_url=request.build_absolute_uri(reverse("service:ticket", args=[token])),
            )
            return redirect(reverse("payments:payment", kwargs={"token": payment.token}))
        elif action == "cancel":
            tickets.cancel_by_shopper(ticket=found)
        else:
            raise _unknown_action()
    except DomainError as error:
        found = selectors.ticket_for_shopper(token)
        key = action if action in SHOPPER_ACTIONS else "form"
        return _shopper_page(request, found, errors={key: error.detail}, values=request.POST, status=_status(error))
    return redirect(reverse("service:ticket", args=[token]))


# --- asking for a repair or maintenance ----------------------------------------------------------

REQUEST_FIELDS = ("skill", "line", "problem", "name", "phone", "email", "address", "city", "postcode")


def _order_or_404(order_token):
    found = shop_selectors.order_by_token(order_token)
    if found is None:
        raise Http404("No such order")
    return found


def _return_of(order, request):
    token = (request.POST if request.method == "POST" else request.GET).get("return", "")
    if not token:
        return None
    found = ReturnRequest.objects.filter(token=str(token)[:64], order=order).first()
    if found is None:
        raise Http404("No such return")
    return found


def _request_form(request, order, return_request, *, values=None, errors=None, status=200):
    recipient = order.recipient or {}
    values = values or {
        "skill": "repair",
        "line": str(return_request.lines.first().order_line.line_number) if return_request and return_request.lines.exists() else "",
        "name": recipient.get("name", ""),
        "phone": recipient.get("phone", ""),
        "email": order.email,
        "address": "\n".join(recipient.get("address_lines", [])),
        "city": recipient.get("city", ""),
        "postcode": recipient.get("postcode", ""),
    }  # fmt: skip
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "return_request": return_request,
        "values": values,
        "errors": errors or {},
        "skills": [(code, label) for code, label in Skill.Code.choices if code in tickets.AFTER_DELIVERY_SKILLS],
    }  # fmt: skip
    return _private(render(request, "aftersales/service/request.html", context, status=status))


@require_http_methods(["GET", "POST"])
def request_service(request, order_token):
    order = _order_or_404(order_token)
    return_request = _return_of(order, request)
    if request.method == "GET":
        return _request_form(request, order, return_request)
    values = {name: request.POST.get(name, "") for name in REQUEST_FIELDS}
    try:
        opened = tickets.request_service(
            order=order,
            skill=values["skill"],
            line_number=values["line"],
            problem=values["problem"],
            name=values["name"],
            email=values["email"],
            phone=values["phone"],
            address=values["address"],
            city=values["city"],
            postcode=values["postcode"],
            language=get_language(),
            return_request=return_request,
        )
    except DomainError as error:
        field = (error.field or "form").removeprefix("recipient.").replace("address_lines", "address")
        field = field if field in REQUEST_FIELDS else "form"
        return _request_form(
            request, order, return_request, values=values, errors={field: error.detail}, status=_status(error)
        )
    return redirect(reverse("service:ticket", args=[opened.token]))


# --- on the shop's order page (payments.hooks.order_sections) ------------------------------------


def order_section(*, request, order, lines):
    """The order's service tickets, and where to ask for a repair once it is delivered."""
    delivered = order.status == order.Status.DELIVERED
    # Tickets come from the order's extras (installation) or from a request once it is delivered:
    # an order with neither has none, and its page asks nothing more (the extras are prefetched).
    if not delivered and not order.extra_lines.all():
        return []
    found = selectors.order_tickets(order)
    return [{"template": "aftersales/service/_order_section.html", "context": {"order": order, "tickets": found, "can_request": delivered, "platform_country": settings.PLATFORM_COUNTRY}}]  # fmt: skip
