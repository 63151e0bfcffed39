"""Warehouse staff pages: the consignment list, a consignment with its lines and cost comparison,
and the receiving page (scan or type a SKU and a count). Thin: each change is one call to
logistics.services.first_leg; each page's reads are a fixed number of queries."""

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .models import Consignment, Discrepancy
from .services import LogisticsError, first_leg

PAGE_SIZE = 50


class ScanForm(forms.Form):
    # Counts stay text here: the service says exactly what is wrong with "1.5" or "-2".
    sku = forms.CharField(label=gettext_lazy("SKU"), max_length=64)
    count = forms.CharField(label=gettext_lazy("Count"), max_length=12, initial="1")
    damaged = forms.CharField(label=gettext_lazy("of which damaged"), max_length=12, required=False, initial="0")


def _consignment(pk):
    return get_object_or_404(Consignment.objects.select_related("partnership__partner", "warehouse"), pk=pk)


@staff_member_required
def consignment_list(request):
    consignments = (
        Consignment.objects.select_related("partnership__partner", "warehouse")
        .annotate(line_count=Count("lines"), units=Sum("lines__quantity"))
        .order_by("-created_at", "-id")
    )
    direction = request.GET.get("direction", "")
    if direction in Consignment.Direction.values:
        consignments = consignments.filter(direction=direction)
    page = Paginator(consignments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "logistics/consignment_list.html",
        {"page": page, "direction": direction, "directions": Consignment.Direction.choices},
    )


@staff_member_required
def consignment_detail(request, pk):
    consignment = _consignment(pk)
    lines = list(consignment.lines.order_by("id"))
    discrepancies = Discrepancy.objects.filter(
        kind=Discrepancy.Kind.RECEIPT,
        partnership=consignment.partnership,
        reference=f"consignment:{consignment.reference}",
    ).order_by("sku", "field")
    return render(
        request,
        "logistics/consignment_detail.html",
        {
            "consignment": consignment,
            "lines": lines,
            "totals": _totals(lines),
            "comparison": first_leg.cost_comparison(consignment),
            "discrepancies": discrepancies,
            "can_send": consignment.direction == Consignment.Direction.OUTBOUND
            and consignment.status == Consignment.Status.PLANNED,
            "can_receive": _can_receive(consignment),
        },
    )


@staff_member_required
@require_POST
def send_notice(request, pk):
    consignment = _consignment(pk)
    try:
        first_leg.send_notice(consignment, actor=request.user.get_username())
    except LogisticsError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The advance shipment notice is on its way to the partner."))
    return redirect("logistics:consignment", pk=consignment.pk)


def _can_receive(consignment):
    return consignment.direction == Consignment.Direction.INBOUND and consignment.status in (
        Consignment.Status.NOTIFIED,
        Consignment.Status.RECEIVING,
    )


def _totals(lines):
    return {
        name: sum(getattr(line, name) or 0 for line in lines)
        for name in ("quantity", "counted", "damaged", "good", "short", "over")
    }


@staff_member_required
def receive(request, pk):
    """Each scan adds its count to the line (a barcode scanner types the SKU and presses Enter)."""
    consignment = _consignment(pk)
    if consignment.direction != Consignment.Direction.INBOUND:
        messages.error(request, _("Only inbound consignments are received."))
        return redirect("logistics:consignment", pk=consignment.pk)
    form = ScanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                line = first_leg.receive_line(
                    consignment=consignment,
                    sku=data["sku"],
                    counted=data["count"].strip(),
                    damaged=(data["damaged"] or "0").strip(),
                    add=True,
                    actor=request.user.get_username(),
                )
            except LogisticsError as error:
                form.add_error(None, error.detail)
                status = 400
            else:
                messages.success(
                    request,
                    _("%(sku)s: %(counted)d counted of %(shipped)d shipped (%(damaged)d damaged).")
                    % {"sku": line.sku, "counted": line.counted, "shipped": line.quantity, "damaged": line.damaged},
                )
                return redirect("logistics:receive", pk=consignment.pk)
        else:
            status = 400
        consignment.refresh_from_db()
    lines = list(consignment.lines.order_by("id"))
    unlisted = Discrepancy.objects.filter(
        kind=Discrepancy.Kind.RECEIPT, reference=f"consignment:{consignment.reference}", field="unlisted"
    ).order_by("sku")
    return render(
        request,
        "logistics/receive.html",
        {
            "consignment": consignment,
            "lines": lines,
            "totals": _totals(lines),
            "unlisted": unlisted,
            "form": ScanForm() if status == 200 else form,
            "can_receive": _can_receive(consignment),
        },
        status=status,
    )


@staff_member_required
@require_POST
def complete_receipt(request, pk):
    consignment = _consignment(pk)
    try:
        first_leg.complete_receipt(consignment=consignment, actor=request.user.get_username())
    except LogisticsError as error:
        messages.error(request, error.detail)
        return redirect("logistics:receive", pk=consignment.pk)
    messages.success(request, _("Receipt complete: the good units are in stock and the receipt is sent."))
    return redirect("logistics:consignment", pk=consignment.pk)
