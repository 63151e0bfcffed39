"""Settlement admin: batches with their statement lines, the partner's statement parts, disputes
side by side, and the payout files (pain.001 and CSV) to download. Actions call the services."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crossborder.admin_base import ReadOnlyAdmin, ReadOnlyInline
from crossborder.errors import DomainError

from ..ledger.services import payouts, settlement
from ..models import PartnerStatementPart, SettlementBatch, SettlementDispute, StatementLine


class StatementLineInline(ReadOnlyInline):
    model = StatementLine
    fields = ["event_reference", "kind", "currency", "amount", "posting_count"]
    readonly_fields = fields
    max_num = 0
    show_change_link = False

    def get_queryset(self, request):
        # Long statements are read in the CSV; the page shows the first lines.
        return super().get_queryset(request).order_by("event_reference")


class DisputeInline(ReadOnlyInline):
    model = SettlementDispute
    fields = ["event_reference", "kind", "currency", "our_amount", "partner_amount", "status", "note"]
    readonly_fields = fields


@admin.register(SettlementBatch)
class SettlementBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "period_end",
        "partner_code",
        "currency",
        "net_amount",
        "partner_net_amount",
        "status",
        "posting_count",
        "files",
    ]
    list_filter = ["status", "currency", "partnership__partner"]
    list_select_related = ["partnership__partner", "payout"]
    date_hierarchy = "period_end"
    fields = [
        "reference",
        "partnership",
        "period_start",
        "period_end",
        "currency",
        "status",
        "net_amount",
        "partner_net_amount",
        "currency_totals",
        "posting_count",
        "created_at",
        "reconciled_at",
        "paid_at",
        "files",
    ]
    readonly_fields = fields
    inlines = [DisputeInline, StatementLineInline]
    actions = ["reconcile_again", "mark_paid"]

    @admin.display(description=_("partner"), ordering="partnership__partner__code")
    def partner_code(self, batch):
        return batch.partnership.partner.code

    @admin.display(description=_("files"))
    def files(self, batch):
        csv_link = format_html(
            '<a href="{}">{}</a>', reverse("admin:payments_settlementbatch_file", args=[batch.pk, "csv"]), _("CSV")
        )
        if not hasattr(batch, "payout"):
            return csv_link
        pain = reverse("admin:payments_settlementbatch_file", args=[batch.pk, "pain001"])
        return format_html('{} · <a href="{}">pain.001</a>', csv_link, pain)

    def get_urls(self):
        return [
            path(
                "<int:pk>/file/<code:kind>/",
                self.admin_site.admin_view(self.download),
                name="payments_settlementbatch_file",
            ),
            *super().get_urls(),
        ]

    def download(self, request, pk, kind):
        batch = get_object_or_404(SettlementBatch.objects.select_related("partnership__partner"), pk=pk)
        stem = f"settlement-{batch.partnership.partner.code}-{batch.period_end:%Y%m%d}"
        if kind == "pain001" and hasattr(batch, "payout"):
            response = HttpResponse(batch.payout.pain001, content_type="application/xml")
            response["Content-Disposition"] = f'attachment; filename="{stem}.pain001.xml"'
            return response
        if hasattr(batch, "payout"):
            body = batch.payout.statement_csv
        else:
            body = payouts.statement_csv(batch, settlement.statement_lines(batch))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response

    def has_change_permission(self, request, obj=None):
        # Actions need it; every field stays read-only.
        return request.user.has_perm("payments.change_settlementbatch")

    @admin.action(description=_("Reconcile again with the partner's statement"))
    def reconcile_again(self, request, queryset):
        for batch in queryset:
            settlement.reconcile_batch(batch=batch)
        self.message_user(request, _("Reconciliation tried again."), messages.SUCCESS)

    @admin.action(description=_("Mark as paid (the net moved between the banks)"))
    def mark_paid(self, request, queryset):
        for batch in queryset:
            try:
                settlement.mark_paid(batch=batch, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{batch}: {error.detail}", messages.ERROR)


@admin.register(PartnerStatementPart)
class PartnerStatementPartAdmin(ReadOnlyAdmin):
    list_display = ["period_end", "partnership", "currency", "part", "parts", "net_amount", "received_at"]
    list_filter = ["currency", "partnership__partner"]
    list_select_related = ["partnership__partner"]


@admin.register(SettlementDispute)
class SettlementDisputeAdmin(admin.ModelAdmin):
    """People settle disputes: the figures stay as both sides sent them; ops write a note and resolve."""

    list_display = ["event_reference", "batch", "currency", "our_amount", "partner_amount", "status", "created_at"]
    list_filter = ["status", "currency", "batch__partnership__partner"]
    list_select_related = ["batch__partnership__partner"]
    fields = ["batch", "event_reference", "kind", "currency", "our_amount", "partner_amount", "status", "note"]
    readonly_fields = ["batch", "event_reference", "kind", "currency", "our_amount", "partner_amount"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
