"""The shopper's return pages: the form that opens a return or an exchange from an order (by the
order's token), and the return's own page (by its token) with its timeline, label or drop-off
point, refund and message thread. Views parse, call one service and render; a refusal is shown
next to its field in the shopper's language."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from crossborder.errors import DomainError
from payments.models import Order
from payments.shop import selectors as shop_selectors

from . import selectors
from .choices import ReturnReason
from .models import ReturnRequest
from .returns.services import returns


def _order(token):
    found = shop_selectors.order_by_token(token)
    if found is None:
        raise Http404("No such order")
    return found


def _form_page(request, order, *, error=None, status=200):
    lines = selectors.returnable_lines(order)
    context = {
        "order": order,
        "lines": lines,
        "any_returnable": any(found.is_returnable() for found in lines),
        "reasons": ReturnReason.choices,
        "kinds": ReturnRequest.Kind.choices,
        "values": request.POST if request.method == "POST" else {},
        "error": error,
        "error_line": _error_line(error),
    }
    return render(request, "aftersales/return_form.html", context, status=status)


def _error_line(error):
    """The order line id a refusal names (its field is `quantity-<id>`), or None."""
    field = getattr(error, "field", None) or ""
    number = field.removeprefix("quantity-")
    return int(number) if field.startswith("quantity-") and number.isdigit() else None


@require_http_methods(["GET", "POST"])
def new_return(request, token):
    order = _order(token)
    if request.method == "GET":
        return _form_page(request, order)
    quantities = {
        key.removeprefix("quantity-"): value for key, value in request.POST.items() if key.startswith("quantity-")
    }
    try:
        opened = returns.open_return(
            order=order,
            quantities=quantities,
            reason=request.POST.get("reason", ""),
            kind=request.POST.get("kind", ReturnRequest.Kind.RETURN),
            details=request.POST.get("details", ""),
            photos=request.FILES.getlist("photos"),
            user=request.user,
        )
    except DomainError as error:
        return _form_page(request, order, error=error, status=400)
    return redirect(reverse("aftersales:return", args=[opened.token]))


REPAIRABLE_REASONS = ("damaged", "defective", "missing_parts")


def _return_page(request, token, *, error=None, status=200):
    found = selectors.return_by_token(token)
    if found is None:
        raise Http404("No such return")
    lines = list(found.lines.all())
    refund = [line for line in lines if line.refund is not None]
    context = {
        "return": found,
        "order": found.order,
        "lines": lines,
        "events": list(found.events.all()),
        "messages_": list(found.thread.messages.all()),
        "refunded": sum(line.refund.amount for line in refund) if refund else None,
        "currency": str(found.order.total.currency),
        "error": error,
        # A fault a local provider may mend: the page offers a repair instead (service tickets).
        "repairable_reasons": REPAIRABLE_REASONS,
    }
    return render(request, "aftersales/return.html", context, status=status)


def return_page(request, token):
    return _return_page(request, token)


@require_POST
def write_message(request, token):
    found = selectors.return_by_token(token)
    if found is None:
        raise Http404("No such return")
    try:
        returns.write_on_return(
            request=found,
            body=request.POST.get("body", ""),
            by="shopper",
            attachments=request.FILES.getlist("attachments"),
        )
    except DomainError as error:
        return _return_page(request, token, error=error, status=400)
    return redirect(reverse("aftersales:return", args=[token]) + "#thread")


def order_returns_section(request, order, lines=None):
    """payments.hooks.order_sections: the order's returns and its "Return or exchange" action (only
    an order on its way or delivered can have either: no query for the others)."""
    if order.status not in (Order.Status.SHIPPED, Order.Status.DELIVERED):
        return []
    found = selectors.returns_of_order(order)
    can_return = selectors.order_has_returnable_lines(order)
    if not found and not can_return:
        return []
    return [
        {
            "template": "aftersales/_order_returns.html",
            "context": {"order": order, "returns": found, "can_return": can_return},
        }
    ]
