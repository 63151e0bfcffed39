"""Admin pages of logistics: first leg (consignments and their lines), and the shared furniture of
the area: warehouses, stock levels and their movements (read-only: counts change only through
logistics.services), discrepancies and the express rates of the cost comparison."""

from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from crossborder.admin_base import ReadOnlyAdmin, ReadOnlyInline

from ..models import Consignment, ConsignmentLine, Discrepancy, ExpressRate, StockLevel, StockMovement, Warehouse
from ..services import LogisticsError, first_leg


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "country", "operator", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["code", "name", "operator", "address"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        # Partners' notices and stock refer to the code: it does not change once created.
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields


class StockMovementInline(ReadOnlyInline):
    model = StockMovement
    fields = ["created_at", "kind", "on_hand_delta", "reserved_delta", "picked_delta", "reference", "note", "actor"]
    readonly_fields = fields
    ordering = ["-id"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = [
        "sku", "grade", "warehouse", "whose", "on_hand", "reserved", "picked", "sellable_units", "updated_at",
    ]  # fmt: skip
    # Graded stock: returned units resold at a grade, counted apart from the new ones.
    list_filter = ["warehouse", "grade", ("owner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["sku", "owner__code"]
    list_select_related = ["warehouse", "owner"]
    readonly_fields = [
        "warehouse",
        "owner",
        "sku",
        "variant",
        "partner_product",
        "grade",
        "on_hand",
        "reserved",
        "picked",
        "updated_at",
    ]
    fields = [*readonly_fields[:6], "unit_weight_grams", *readonly_fields[6:]]
    inlines = [StockMovementInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("owner"), ordering="owner__code")
    def whose(self, level):
        return level.owner.code if level.owner_id else _("own")

    @admin.display(description=_("sellable"))
    def sellable_units(self, level):
        return level.sellable


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "sku",
        "on_hand_delta",
        "reserved_delta",
        "picked_delta",
        "reference",
        "actor",
    ]
    list_filter = ["kind"]
    search_fields = ["reference", "stock__sku", "actor"]
    list_select_related = ["stock"]
    date_hierarchy = "created_at"

    @admin.display(description=_("SKU"), ordering="stock__sku")
    def sku(self, movement):
        return movement.stock.sku


@admin.register(Discrepancy)
class DiscrepancyAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "partnership", "sku", "field", "ours", "theirs", "reference"]
    list_filter = ["status", "kind"]
    search_fields = ["sku", "reference", "note"]
    list_select_related = ["partnership__partner"]
    readonly_fields = [
        "kind",
        "status",
        "partnership",
        "sku",
        "field",
        "ours",
        "theirs",
        "reference",
        "note",
        "created_at",
        "resolved_at",
    ]
    actions = ["resolve"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark the selected discrepancies resolved"))
    def resolve(self, request, queryset):
        done = first_leg.resolve_discrepancies(discrepancies=list(queryset))
        self.message_user(
            request,
            ngettext("%(n)d discrepancy resolved.", "%(n)d discrepancies resolved.", done) % {"n": done},
            messages.SUCCESS,
        )


@admin.register(ExpressRate)
class ExpressRateAdmin(admin.ModelAdmin):
    list_display = ["destination", "max_weight_grams", "price"]
    list_filter = ["destination"]


class ConsignmentLineInline(ReadOnlyInline):
    model = ConsignmentLine
    fields = ["sku", "title", "unit_weight_grams", "quantity", "counted", "damaged"]
    readonly_fields = fields


@admin.register(Consignment)
class ConsignmentAdmin(admin.ModelAdmin):
    list_display = ["short_reference", "direction", "status", "partner", "line_count", "units", "eta", "created_at"]
    list_filter = ["direction", "status"]
    search_fields = ["reference", "tracking_number", "partnership__partner__code", "lines__sku"]
    list_select_related = ["partnership__partner"]
    readonly_fields = [
        "reference",
        "partnership",
        "direction",
        "status",
        "warehouse",
        "destination_code",
        "carrier",
        "tracking_number",
        "cartons",
        "gross_weight_grams",
        "eta",
        "first_leg_cost",
        "notified_at",
        "received_at",
        "created_at",
        "staff_page",
    ]
    inlines = [ConsignmentLineInline]
    actions = ["send_notices"]

    def has_add_permission(self, request):
        return False  # planned through the staff pages, the command or a replenishment suggestion

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_total=Count("lines"), unit_total=Sum("lines__quantity"))

    @admin.display(description=_("reference"), ordering="reference")
    def short_reference(self, consignment):
        return str(consignment.reference)[:8]

    @admin.display(description=_("partner"), ordering="partnership__partner__code")
    def partner(self, consignment):
        return consignment.partnership.partner.code

    @admin.display(description=_("lines"), ordering="line_total")
    def line_count(self, consignment):
        return consignment.line_total

    @admin.display(description=_("units"), ordering="unit_total")
    def units(self, consignment):
        return consignment.unit_total

    @admin.display(description=_("staff page"))
    def staff_page(self, consignment):
        try:
            url = reverse("logistics:consignment", args=[consignment.pk])
        except NoReverseMatch:  # the staff pages are not mounted
            return "-"
        return format_html('<a href="{}">{}</a>', url, pgettext("link to a page", "open"))

    @admin.action(description=_("Send the advance shipment notice"))
    def send_notices(self, request, queryset):
        sent = 0
        for consignment in queryset:
            try:
                first_leg.send_notice(consignment, actor=request.user.get_username())
            except LogisticsError as error:
                self.message_user(request, f"{consignment}: {error.detail}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext("%(n)d notice sent.", "%(n)d notices sent.", sent) % {"n": sent},
                messages.SUCCESS,
            )
