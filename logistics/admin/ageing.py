"""Admin pages of logistics: ageing. Aged-stock actions of both sides (goods held here for a
partner, and our goods abroad) with the actions ops take on them, and storage fee accruals (read
only). Every admin action calls a service; nothing here holds a business rule."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crossborder.admin_base import ReadOnlyAdmin, run_for_each

from ..models import AgedStockAction, StorageFeeAccrual
from ..services import ageing

Action = AgedStockAction.Action


class SideFilter(admin.SimpleListFilter):
    title = _("side")
    parameter_name = "side"

    def lookups(self, request, model_admin):
        return [("held", _("partner's goods held here")), ("abroad", _("our goods abroad"))]

    def queryset(self, request, queryset):
        if self.value() == "held":
            return queryset.filter(stock__isnull=False)
        if self.value() == "abroad":
            return queryset.filter(stock__isnull=True)
        return queryset


def _run_for_each(modeladmin, request, items, operation, done_message):
    """Call a service per item; report how many went through and each refusal (logistics', and the
    partner zone's: a markdown it cannot show), and an action carried out for fewer units than
    agreed."""

    def warn_if_short(result):
        if isinstance(result, ageing.CarriedOut) and result.quantity < result.agreed:
            modeladmin.message_user(request, result.message, messages.WARNING)

    run_for_each(modeladmin, request, items, operation, done_message, on_done=warn_if_short)


@admin.register(AgedStockAction)
class AgedStockActionAdmin(ReadOnlyAdmin):
    list_display = [
        "sku",
        "partner",
        "side",
        "action",
        "markdown_percent",
        "quantity",
        "oldest_age_days",
        "threshold_days",
        "status",
        "created_at",
        "decided_at",
    ]
    list_filter = ["status", "action", SideFilter, "partnership__partner", "threshold_days"]
    list_select_related = ["partnership__partner", "stock__warehouse"]
    search_fields = ["sku", "=reference"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AgedStockAction._meta.fields]
    actions = ["propose_markdown", "propose_return", "propose_liquidation", "reject", "carry_out_agreed"]

    @admin.display(description=_("partner"), ordering="partnership__partner__code")
    def partner(self, obj):
        return obj.partnership.partner.code

    @admin.display(description=_("side"))
    def side(self, obj):
        return _("held here") if obj.stock_id else _("ours abroad")

    def _propose(self, request, queryset, action):
        """Goods held here: propose `action` for the level. Our goods abroad: agree to the
        partner's proposal, choosing `action`."""

        def operation(row):
            if row.stock_id:
                return ageing.propose_aged_action(partnership=row.partnership, level=row.stock, action=action)
            return ageing.decide_aged_action(
                partnership=row.partnership, reference=row.reference, accept=True, action=action
            )

        _run_for_each(
            self,
            request,
            queryset.select_related("partnership__partner", "stock"),
            operation,
            lambda n: ngettext("%(n)d proposal made or agreed.", "%(n)d proposals made or agreed.", n) % {"n": n},
        )

    @admin.action(description=_("Markdown: propose it (held here) or agree to it (ours abroad)"))
    def propose_markdown(self, request, queryset):
        self._propose(request, queryset, Action.MARKDOWN)

    @admin.action(description=_("Return: propose it (held here) or agree to it (ours abroad)"))
    def propose_return(self, request, queryset):
        self._propose(request, queryset, Action.RETURN)

    @admin.action(description=_("Liquidation: propose it (held here) or agree to it (ours abroad)"))
    def propose_liquidation(self, request, queryset):
        self._propose(request, queryset, Action.LIQUIDATE)

    @admin.action(description=_("Reject the partner's proposal (ours abroad)"))
    def reject(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.filter(stock__isnull=True).select_related("partnership__partner"),
            lambda row: ageing.decide_aged_action(partnership=row.partnership, reference=row.reference, accept=False),
            lambda n: ngettext("%(n)d proposal rejected.", "%(n)d proposals rejected.", n) % {"n": n},
        )

    @admin.action(description=_("Carry out agreed actions (held here)"))
    def carry_out_agreed(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.filter(stock__isnull=False, status=AgedStockAction.Status.AGREED),
            lambda row: ageing.carry_out(row, actor=request.user.get_username()),
            lambda n: ngettext("%(n)d action carried out.", "%(n)d actions carried out.", n) % {"n": n},
        )


@admin.register(StorageFeeAccrual)
class StorageFeeAccrualAdmin(ReadOnlyAdmin):
    # Read only, append-only: the ledger booked it.
    list_display = ["day", "partner", "sku", "unit_days", "rate", "amount", "reference", "created_at"]
    list_filter = ["partnership__partner", "amount_currency"]
    list_select_related = ["partnership__partner", "stock"]
    search_fields = ["=reference", "stock__sku"]
    date_hierarchy = "day"
    readonly_fields = ["partnership", "stock", "day", "unit_days", "rate", "amount", "reference", "created_at"]

    @admin.display(description=_("partner"), ordering="partnership__partner__code")
    def partner(self, obj):
        return obj.partnership.partner.code

    @admin.display(description=_("SKU"), ordering="stock__sku")
    def sku(self, obj):
        return obj.stock.sku
