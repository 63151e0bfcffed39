"""Admin pages of the partner zone: sync. Read-only: runs are written by the sync, listings by the
sync and pricing; ops read what came in, what was rejected and why."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from crossborder.admin_base import ReadOnlyAdmin

from ..models import PartnerListing, SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "partner_code",
        "status",
        "pages",
        "items_changed",
        "tombstones",
        "unchanged",
        "rejected",
        "finished_at",
    ]
    list_filter = ["status", "partnership__partner"]
    list_select_related = ["partnership__partner"]
    date_hierarchy = "started_at"
    fields = [
        "partnership",
        "status",
        "started_at",
        "finished_at",
        "updated_since",
        "cursor",
        "watermark",
        "pages",
        "items_changed",
        "tombstones",
        "unchanged",
        "rejected",
        "rejection_list",
        "error",
    ]
    readonly_fields = fields

    @admin.display(description=_("partner"), ordering="partnership__partner__code")
    def partner_code(self, run):
        return run.partnership.partner.code

    @admin.display(description=_("rejected items"))
    def rejection_list(self, run):
        if not run.rejections:
            return "-"
        return format_html_join(
            "\n", "<div><code>{}</code>: {}</div>", ((r.get("id"), r.get("reason")) for r in run.rejections)
        )


@admin.register(PartnerListing)
class PartnerListingAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "partner_code",
        "brand",
        "category",
        "export_price",
        "price",
        "local_stock",
        "ships_from",
        "is_active",
        "version",
        "changed_at",
    ]
    list_filter = ["partnership", "is_active", "ships_from", "category"]
    list_select_related = ["partnership__partner", "category"]
    search_fields = ["title", "brand", "=reference"]
    show_full_result_count = False
    readonly_fields = [f.name for f in PartnerListing._meta.fields if f.name not in ("search_vector",)]
    exclude = ["search_vector"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("search_document", "search_vector", "texts", "price_breakdown")

    @admin.display(description=_("partner"), ordering="partnership__partner__code")
    def partner_code(self, listing):
        return listing.partnership.partner.code
