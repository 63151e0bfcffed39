"""Admin pages of logistics: handoff. Reports and goods abroad are records of what partners told
us, so staff read them here and change nothing."""

import json

from django.contrib import admin
from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crossborder.admin_base import ReadOnlyAdmin

from .. import selectors
from ..models import GoodsAbroad, HandoffReport

PREVIEW_LINES = 20


@admin.register(HandoffReport)
class HandoffReportAdmin(ReadOnlyAdmin):
    list_display = [
        "period_end",
        "partner",
        "kind",
        "direction",
        "period_start",
        "line_count",
        "discrepancies",
        "created_at",
    ]
    list_filter = ["kind", "direction", "partnership__partner"]
    date_hierarchy = "period_end"
    fields = [
        "partnership",
        "kind",
        "direction",
        "period_start",
        "period_end",
        "line_count",
        "discrepancies",
        "created_at",
        "lines_preview",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # A report may hold 100,000 lines: the list never loads them.
        queryset = super().get_queryset(request).select_related("partnership__partner")
        return queryset if request.resolver_match.url_name.endswith("_change") else queryset.defer("lines")

    @admin.display(description=_("partner"), ordering="partnership__partner__code")
    def partner(self, report):
        return report.partnership.partner.code

    @admin.display(description=_("first lines"))
    def lines_preview(self, report):
        shown = report.lines[:PREVIEW_LINES]
        more = report.line_count - len(shown)
        text = "\n".join(json.dumps(line, ensure_ascii=False) for line in shown)
        if more > 0:
            text += "\n" + str(_("… and %(n)d more lines") % {"n": more})
        return format_html("<pre>{}</pre>", text)


class AgedFilter(admin.SimpleListFilter):
    title = _("oldest unit")
    parameter_name = "aged"

    def lookups(self, request, model_admin):
        return [("90", _("older than 90 days")), ("180", _("older than 180 days"))]

    def queryset(self, request, queryset):
        if self.value() in ("90", "180"):
            return queryset.filter(oldest_unit_age_days__gt=int(self.value()))
        return queryset


class DiffersFilter(admin.SimpleListFilter):
    title = _("on hand vs expected")
    parameter_name = "differs"

    def lookups(self, request, model_admin):
        return [("yes", _("differs")), ("no", _("agrees"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(on_hand=F("expected_on_hand"))
        if self.value() == "no":
            return queryset.filter(on_hand=F("expected_on_hand"))
        return queryset


@admin.register(GoodsAbroad)
class GoodsAbroadAdmin(ReadOnlyAdmin):
    list_display = [
        "sku",
        "partner",
        "variant",
        "on_hand",
        "expected_on_hand",
        "reserved",
        "sold_last_period",
        "sold_total",
        "oldest_unit_age_days",
        "reported_at",
    ]
    list_filter = ["partnership__partner", AgedFilter, DiffersFilter]
    search_fields = ["sku"]
    ordering = ["partnership", "sku"]
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request):
        return selectors.goods_abroad()

    @admin.display(description=_("partner"), ordering="partnership__partner__code")
    def partner(self, row):
        return row.partnership.partner.code
