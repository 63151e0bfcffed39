"""A merchant's lines of orders partners forwarded to us: the goods a partner sold cross-border
direct, which the merchant ships to the partner's shopper (carrier and, if booked already, the
tracking number). Pages of the merchant area (catalog's login and merchant choice); the service
does the work (payments.shop.services.forwarded)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.merchant_views import merchant_required
from crossborder.errors import DomainError
from logistics.carriers import carrier_name, configured_carriers

from .services import forwarded

PAGE_SIZE = 50
SHIPPABLE = {"allocated", "picked", "packed"}


@merchant_required
def forwarded_lines(request):
    page = Paginator(forwarded.merchant_lines(request.merchant), PAGE_SIZE).get_page(request.GET.get("page"))
    tracking = forwarded.tracking_of(page.object_list)
    carriers = [(code, carrier.name) for code, carrier in configured_carriers().items()]
    rows = [
        {
            "line": line,
            "carrier": carrier_name(tracking.get(line.reference, ("", "", ""))[0]),
            "tracking_number": tracking.get(line.reference, ("", "", ""))[1],
            "shippable": line.status in SHIPPABLE,
        }
        for line in page.object_list
    ]
    return render(request, "payments/merchant_orders.html", {"page": page, "rows": rows, "carriers": carriers})


@require_POST
@merchant_required
def ship_line(request, line_id):
    try:
        shipped = forwarded.ship_merchant_line(
            merchant=request.merchant,
            line_id=line_id,
            carrier=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
            actor=request.user.get_username(),
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.detail) from None
        messages.error(request, error.detail)
    else:
        if shipped:
            messages.success(request, _("Shipped: the partner gets the tracking."))
        else:
            messages.error(request, _("Nothing to ship: the line awaits stock or has left already."))
    return redirect("payments:merchant-orders")
