"""Admin pages of the partner zone: recommendations (shoppers' history, read-only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partner_zone.models import ShopperEvent


@admin.register(ShopperEvent)
class ShopperEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "user", "short_history_id", "listing", "product", "category", "query")
    list_filter = ("kind", "created_at")
    search_fields = ("query", "session_key", "user__username")
    list_select_related = ("user", "listing__partnership__partner", "product__merchant", "category")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    show_full_result_count = False  # a million rows: no COUNT(*) per page
    list_per_page = 50
    readonly_fields = [f.name for f in ShopperEvent._meta.fields]

    @admin.display(description=_("history ID"))
    def short_history_id(self, event):
        return event.session_key[:8]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
