"""Shop admin: orders with their lines and timeline (filters by status and origin; actions move
them on through the services), customs declarations (downloadable per order as CSV or XML), and
the orders partners forwarded to us (their lines, the recipient, and actions to allocate, pick,
pack and ship the lines we send cross-border direct)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from crossborder.addresses import address_lines
from crossborder.admin_base import ReadOnlyAdmin, ReadOnlyInline
from crossborder.errors import DomainError
from logistics.carriers import carrier_name, configured_carriers

from ..models import CustomsDeclaration, ForwardedLine, ForwardedOrder, Order, OrderEvent, OrderLine
from ..shop.discounts import discount_lines
from ..shop.models import Fulfilment
from ..shop.services import cancel as cancels
from ..shop.services import forwarded, orders


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "line_number", "origin", "fulfilment", "sku", "title", "quantity", "goods", "discount", "taxes", "shipping",
        "total",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("discount (taken off the goods)"))
    def discount(self, line):
        found = discount_lines([line], str(line.total.currency))
        return format_html_join(", ", "{} {}", ((d.label, d.amount) for d in found)) or "-"


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "kind", "status", "by_partner", "actor", "detail"]
    readonly_fields = fields


class OriginFilter(admin.SimpleListFilter):
    title = _("origin")
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("own", _("only our own goods")), ("partner", _("with partner goods"))]

    def queryset(self, request, queryset):
        if self.value() == "own":
            return queryset.filter(has_partner_goods=False)
        if self.value() == "partner":
            return queryset.filter(has_partner_goods=True)
        return queryset


def _move(status, label):
    def action(modeladmin, request, queryset):
        moved = 0
        for order in queryset.order_by("pk"):
            try:
                orders.change_order_status(order=order, status=status, actor=request.user)
                moved += 1
            except DomainError as error:
                modeladmin.message_user(request, f"#{order.number}: {error.detail}", messages.ERROR)
        modeladmin.message_user(request, _("%(n)d order(s) updated.") % {"n": moved}, messages.SUCCESS)

    action.__name__ = f"mark_{status}"
    action.short_description = label
    return action


@admin.action(description=_("Cancel orders not yet shipped (stock back, shopper refunded, partners told)"))
def cancel_orders(modeladmin, request, queryset):
    """The same cancellation as the shopper's: refused, with the reason, once goods have shipped."""
    cancelled = 0
    for order in queryset.select_related("checkout").order_by("pk"):
        try:
            cancels.cancel_order(order=order, actor=request.user, reason=_("cancelled by our staff"), by="ops")
            cancelled += 1
        except DomainError as error:
            modeladmin.message_user(request, f"#{order.number}: {error.detail}", messages.ERROR)
    modeladmin.message_user(request, _("%(n)d order(s) cancelled.") % {"n": cancelled}, messages.SUCCESS)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "placed_at", "status", "total", "has_partner_goods", "payment_reference", "customs"]
    list_filter = ["status", OriginFilter, "placed_at"]
    search_fields = ["number", "email", "recipient__name", "payment_reference"]
    list_select_related = ["customs_declaration"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, OrderEventInline]
    fields = [
        "number", "reference", "token", "status", "placed_at", "payment_due_at", "paid_at", "payment_reference",
        "goods", "discounts", "taxes", "shipping", "total", "cbec_value", "email", "delivery_address", "buyer_name",
        "user",
    ]  # fmt: skip
    readonly_fields = fields
    actions = [
        _move(Order.Status.SHIPPED, _("Mark shipped (partners are told)")),
        _move(Order.Status.DELIVERED, _("Mark delivered (partners are told)")),
        cancel_orders,
    ]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("payments.change_order")  # to run the actions; fields stay read-only

    @admin.display(description=_("discounts (taken off the goods)"))
    def discounts(self, order):
        found = discount_lines(order.lines.all(), str(order.total.currency))
        return format_html_join(mark_safe("<br>"), "{} {}", ((d.label, d.amount) for d in found)) or "-"

    @admin.display(description=_("delivery address"))
    def delivery_address(self, order):
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in address_lines(order.recipient)))

    @admin.display(description=_("customs"))
    def customs(self, order):
        declaration = getattr(order, "customs_declaration", None)
        if declaration is None:
            return "-"
        return format_html(
            '<a href="{}">CSV</a> · <a href="{}">XML</a>',
            reverse("admin:payments_customsdeclaration_export", args=[declaration.pk, "csv"]),
            reverse("admin:payments_customsdeclaration_export", args=[declaration.pk, "xml"]),
        )


@admin.register(CustomsDeclaration)
class CustomsDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["order_number", "status", "buyer", "payment", "created_at", "files"]
    list_filter = ["status", "created_at"]
    list_select_related = ["order"]
    search_fields = ["order__number", "order__buyer_name", "order__payment_reference"]
    fields = ["order", "status", "order_record", "payment_record", "waybill_record", "created_at", "updated_at"]
    readonly_fields = fields

    @admin.display(description=_("order"), ordering="order__number")
    def order_number(self, declaration):
        return declaration.order.number

    @admin.display(description=_("buyer"))
    def buyer(self, declaration):
        return declaration.order.buyer_name

    @admin.display(description=_("payment"))
    def payment(self, declaration):
        return declaration.payment_record.get("payment_reference", "-")

    @admin.display(description=_("export"))
    def files(self, declaration):
        return format_html(
            '<a href="{}">CSV</a> · <a href="{}">XML</a>',
            reverse("admin:payments_customsdeclaration_export", args=[declaration.pk, "csv"]),
            reverse("admin:payments_customsdeclaration_export", args=[declaration.pk, "xml"]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/export.<code:kind>",
                self.admin_site.admin_view(self.export),
                name="payments_customsdeclaration_export",
            ),
            *super().get_urls(),
        ]

    def export(self, request, pk, kind):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        declaration = get_object_or_404(CustomsDeclaration.objects.select_related("order"), pk=pk)
        name = f"customs-{declaration.order.number}"
        if kind == "xml":
            response = HttpResponse(orders.customs_xml(declaration), content_type="application/xml; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.xml"'
        elif kind == "csv":
            response = HttpResponse(orders.customs_csv(declaration), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        else:
            return HttpResponse(status=404)
        return response


class ForwardedLineInline(ReadOnlyInline):
    """An order line as the exporter fulfils it: who ships it, in the exporter's words (the line's
    fulfilment is named as the importer sold it: "direct from the partner" is, here, from us)."""

    model = ForwardedLine
    fields = ["reference", "sku", "title", "quantity", "shipped_by", "status", "tracking", "problem"]
    readonly_fields = fields

    @admin.display(description=_("shipped by"))
    def shipped_by(self, line):
        if line.fulfilment == Fulfilment.DIRECT:
            return _("us, cross-border direct to the partner's shopper")
        return _("the partner, from our consignment stock in its warehouse")

    @admin.display(description=_("tracking"))
    def tracking(self, line):
        # One query for the order's lines (an inline instance lives for one request).
        if getattr(self, "_tracking_of", (None,))[0] != line.order_id:
            self._tracking_of = (
                line.order_id,
                forwarded.tracking_of(ForwardedLine.objects.filter(order=line.order_id)),
            )
        carrier, number, _status = self._tracking_of[1].get(line.reference, ("", "", ""))
        return f"{carrier_name(carrier)} {number}".strip() or "-"


class CarrierActionForm(helpers.ActionForm):
    """The admin's action bar, with the carrier that ships the selected orders' parcels."""

    carrier = forms.ChoiceField(label=_("carrier"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [(code, carrier.name) for code, carrier in configured_carriers().items()]


def _fulfil(step, done_message):
    def action(modeladmin, request, queryset):
        done = 0
        for order in queryset.select_related("partnership__partner").order_by("pk"):
            try:
                done += step(order, request)
            except DomainError as error:
                modeladmin.message_user(request, f"#{order.number}: {error.detail}", messages.ERROR)
        modeladmin.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    return action


@admin.register(ForwardedOrder)
class ForwardedOrderAdmin(ReadOnlyAdmin):
    """Orders partners forwarded to us. The lines they sold cross-border direct are ours to ship:
    allocate our stock (when it was short on arrival), pick, pack and ship with a carrier; the
    partner gets the tracking and the lines' status."""

    list_display = ["number", "partnership", "status", "our_lines", "placed_at", "received_at"]
    list_filter = ["status", "partnership__partner"]
    list_select_related = ["partnership__partner"]
    search_fields = ["number", "order_lines__sku", "order_lines__reference"]
    fields = ["partnership", "number", "reference", "status", "ship_to", "placed_at", "received_at", "updated_at"]
    readonly_fields = fields
    inlines = [ForwardedLineInline]
    action_form = CarrierActionForm
    actions = ["allocate", "pick", "pack", "ship"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(direct_lines=Count("order_lines", filter=Q(order_lines__fulfilment=Fulfilment.DIRECT)))
        )

    def has_change_permission(self, request, obj=None):
        # The actions need the change permission; an order itself is never edited here (what
        # happens to it goes through the actions), so its page is read-only, with no Save.
        return obj is None and request.user.has_perm("payments.change_forwardedorder")

    @admin.display(description=_("lines we ship"), ordering="direct_lines")
    def our_lines(self, order):
        return order.direct_lines

    @admin.display(description=_("ship to"))
    def ship_to(self, order):
        recipient = order.recipient or {}
        if not recipient:
            return _("(the partner delivers from our consignment stock)")
        parts = [
            recipient.get("name", ""),
            recipient.get("phone", ""),
            *address_lines(recipient),
            recipient.get("country", ""),
        ]
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts if part))

    @admin.action(description=_("Allocate our stock to lines awaiting it"))
    def allocate(self, request, queryset):
        run = _fulfil(lambda order, r: forwarded.allocate_awaiting(forwarded=order), _("%(n)d line(s) allocated."))
        run(self, request, queryset)

    @admin.action(description=_("Pick our lines"))
    def pick(self, request, queryset):
        actor = request.user.get_username()
        run = _fulfil(lambda order, r: forwarded.pick(forwarded=order, actor=actor), _("%(n)d line(s) picked."))
        run(self, request, queryset)

    @admin.action(description=_("Pack our lines (picking them first)"))
    def pack(self, request, queryset):
        actor = request.user.get_username()
        run = _fulfil(lambda order, r: forwarded.pack(forwarded=order, actor=actor), _("%(n)d line(s) packed."))
        run(self, request, queryset)

    @admin.action(description=_("Ship our lines with the chosen carrier (tracking and status go to the partner)"))
    def ship(self, request, queryset):
        actor, carrier = request.user.get_username(), request.POST.get("carrier", "")
        run = _fulfil(
            lambda order, r: forwarded.ship(forwarded=order, carrier=carrier, actor=actor),
            _("%(n)d line(s) shipped."),
        )
        run(self, request, queryset)
