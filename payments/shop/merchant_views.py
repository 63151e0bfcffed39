"""The merchant's orders: the lines of its goods sold at home and abroad, one line with its history,
tracking and returns, and the pick, pack and ship of the lines it ships itself. Pages of the merchant
area (catalog's login and merchant choice); selectors read (merchant_selectors), one service acts
(services.merchant_fulfilment)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog.merchant_views import merchant_required
from crossborder.errors import DomainError
from logistics.carriers import configured_carriers

from . import merchant_selectors as lines
from .merchant_forms import OrderLineFilterForm
from .services import merchant_fulfilment

PAGE_SIZE = 25
DONE = {
    "pick": gettext_lazy("Picked: the units are off the shelves."),
    "pack": gettext_lazy("Packed: the parcel is ready for the carrier."),
}


@merchant_required(roles=("fulfilment",))
def order_lines(request):
    form = OrderLineFilterForm(request.GET or None, partners=lines.partners_of(request.merchant))
    filters = form.filters() if request.GET else lines.LineFilters()
    page = Paginator(lines.line_keys(request.merchant, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = lines.merchant_rows(request.merchant, list(page.object_list))
    return render(request, "payments/merchant_orders.html", {"page": page, "rows": rows, "filters": form})


def _line_or_404(request, where, line_id):
    row = lines.merchant_line(request.merchant, where, line_id)
    if row is None:
        raise Http404(_("No such line of your goods."))
    return row


@merchant_required(roles=("fulfilment",))
def order_line(request, where, line_id):
    row = _line_or_404(request, where, line_id)
    return render(request, "payments/merchant_order_line.html", _line_context(row))


def _line_context(row, **extra):
    carriers = [(code, carrier.name) for code, carrier in configured_carriers().items()]
    recipient = None
    if row.ships_itself and row.shipment is not None:
        recipient = row.shipment.recipient
    return {"row": row, "history": lines.history(row), "carriers": carriers, "recipient": recipient, **extra}


@require_POST
@merchant_required(roles=("fulfilment",))
def fulfil(request, where, line_id, step):
    try:
        merchant_fulfilment.fulfil_line(
            merchant=request.merchant,
            where=where,
            line_id=line_id,
            step=step,
            carrier=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
            actor=request.user.get_username(),
        )
    except DomainError as error:
        if error.status == 404:  # another merchant's line, or none: refused with the reason, as not found
            return render(request, "payments/merchant_order_refused.html", {"error": error}, status=404)
        row = _line_or_404(request, where, line_id)
        context = _line_context(row, error=error, posted=request.POST)
        return render(request, "payments/merchant_order_line.html", context, status=error.status)
    if step == "ship":
        if where == lines.ABROAD:
            messages.success(request, _("Shipped: the partner gets the tracking."))
        else:
            messages.success(request, _("Shipped: the shopper gets the tracking."))
    else:
        messages.success(request, DONE[step])
    return redirect("payments:merchant-order-line", where=where, line_id=line_id)
