"""Admin pages of logistics: last leg. Warehouse staff pick, pack and ship deliveries with the
actions below; each calls the service, which refuses a step from the wrong state."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from crossborder.admin_base import ReadOnlyAdmin, ReadOnlyInline, run_for_each

from ..carriers import default_carrier_code
from ..models import Reservation, Shipment, TrackingEvent
from ..services import LogisticsError, last_leg, stock


class TrackingEventInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ["occurred_at", "status", "description", "location", "event_id", "received_at"]
    readonly_fields = fields


def _run_for_each(modeladmin, request, items, operation, done_message):
    """Call a service per item; report how many went through and each refusal."""
    run_for_each(modeladmin, request, items, operation, done_message, errors=LogisticsError)


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    # Read only: shipments come from paid order lines (logistics.services.last_leg); steps go
    # through the actions.
    list_display = [
        "order_line",
        "sku",
        "quantity",
        "kind",
        "status",
        "warehouse",
        "partner",
        "carrier",
        "tracking_number",
        "shipped_at",
        "delivered_at",
    ]
    list_filter = ["kind", "status", "carrier", "stock__warehouse"]
    list_select_related = ["stock__warehouse", "partnership__partner"]
    search_fields = ["order_line", "sku", "tracking_number"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reference",
        "kind",
        "status",
        "order_line",
        "sku",
        "quantity",
        "stock",
        "reservation",
        "partnership",
        "recipient",
        "carrier",
        "tracking_number",
        "shipped_at",
        "delivered_at",
        "created_at",
        "updated_at",
    ]
    inlines = [TrackingEventInline]
    actions = ["pick", "pack", "ship", "cancel"]

    @admin.display(description=_("warehouse"), ordering="stock__warehouse__code")
    def warehouse(self, shipment):
        return shipment.stock.warehouse.code if shipment.stock_id else "-"

    @admin.display(description=_("partner"), ordering="partnership__partner__code")
    def partner(self, shipment):
        return shipment.partnership.partner.code if shipment.partnership_id else "-"

    def _queryset(self, queryset):
        return queryset.select_related("stock__warehouse", "partnership__partner").order_by("id")

    @admin.action(description=_("Pick (take the units off the shelves)"))
    def pick(self, request, queryset):
        _run_for_each(
            self,
            request,
            self._queryset(queryset),
            lambda shipment: last_leg.pick_shipment(shipment, actor=request.user.get_username()),
            lambda n: ngettext("%(n)d shipment picked.", "%(n)d shipments picked.", n) % {"n": n},
        )

    @admin.action(description=pgettext_lazy("shipment action", "Pack"))
    def pack(self, request, queryset):
        _run_for_each(
            self,
            request,
            self._queryset(queryset),
            lambda shipment: last_leg.pack_shipment(shipment, actor=request.user.get_username()),
            lambda n: ngettext("%(n)d shipment packed.", "%(n)d shipments packed.", n) % {"n": n},
        )

    @admin.action(description=_("Ship (book the default carrier)"))
    def ship(self, request, queryset):
        carrier = default_carrier_code()
        _run_for_each(
            self,
            request,
            self._queryset(queryset),
            lambda shipment: last_leg.ship_shipment(shipment, carrier=carrier, actor=request.user.get_username()),
            lambda n: ngettext("%(n)d shipment shipped.", "%(n)d shipments shipped.", n) % {"n": n},
        )

    @admin.action(description=_("Cancel (units back to sale)"))
    def cancel(self, request, queryset):
        _run_for_each(
            self,
            request,
            self._queryset(queryset),
            lambda shipment: last_leg.cancel_shipment(shipment, actor=request.user.get_username()),
            lambda n: ngettext("%(n)d shipment cancelled.", "%(n)d shipments cancelled.", n) % {"n": n},
        )


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "sku", "warehouse", "owner", "quantity", "status", "expires_at", "created_at"]
    list_filter = ["status", "stock__warehouse"]
    list_select_related = ["stock__warehouse", "stock__owner"]
    search_fields = ["reference", "stock__sku"]
    readonly_fields = ["reference", "stock", "quantity", "status", "expires_at", "created_at"]
    actions = ["release"]

    @admin.display(description=_("SKU"), ordering="stock__sku")
    def sku(self, reservation):
        return reservation.stock.sku

    @admin.display(description=_("warehouse"), ordering="stock__warehouse__code")
    def warehouse(self, reservation):
        return reservation.stock.warehouse.code

    @admin.display(description=_("owner"))
    def owner(self, reservation):
        return reservation.stock.owner.code if reservation.stock.owner_id else _("own")

    @admin.action(description=_("Release (units back to sale)"))
    def release(self, request, queryset):
        _run_for_each(
            self,
            request,
            # A delivery's allocation is given back by cancelling the shipment, not here.
            queryset.filter(status=Reservation.Status.ACTIVE, shipment__isnull=True).order_by("id"),
            lambda reservation: stock.release(reservation.reference, actor=request.user.get_username()),
            lambda n: ngettext("%(n)d reservation released.", "%(n)d reservations released.", n) % {"n": n},
        )
