"""Merchant money in the admin: each merchant's commission and bank details (validated by the
services), its statement per period with CSV, a "pay now" action, the payout runs with their files,
and the reconciliation of settlement batches with the merchant credits they produced."""

import datetime as dt

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crossborder.admin_base import ReadOnlyAdmin, ReadOnlyInline, run_for_each
from crossborder.errors import DomainError

from ..merchants import selectors, services, statements
from ..models import MerchantPayout, MerchantPayoutRun, MerchantPayoutTerms

BANK_FIELDS = ["account_holder", "bank_country", "iban", "bic", "account_number", "bank_name"]


class PayoutTermsForm(forms.ModelForm):
    iban = forms.CharField(label=_("IBAN"), required=False, max_length=42)
    account_number = forms.CharField(label=_("account number"), required=False, max_length=40)

    class Meta:
        model = MerchantPayoutTerms
        fields = ["merchant", "commission_percent", *BANK_FIELDS]

    def clean(self):
        data = super().clean()
        bank = {name: data.get(name) or "" for name in BANK_FIELDS}
        bank["country"] = bank.pop("bank_country")
        try:
            services.clean_bank_details(**bank)
        except DomainError as error:
            self.add_error({"country": "bank_country"}.get(error.field, error.field), error.detail)
        return data


@admin.register(MerchantPayoutTerms)
class MerchantPayoutTermsAdmin(admin.ModelAdmin):
    form = PayoutTermsForm
    list_display = ["merchant", "commission_percent", "account_holder", "bank_country", "account", "statement_link"]
    list_select_related = ["merchant"]
    search_fields = ["merchant__name", "merchant__slug", "account_holder"]
    actions = ["pay_now"]

    @admin.display(description=_("account"))
    def account(self, terms):
        return terms.masked_account()

    @admin.display(description=_("statement"))
    def statement_link(self, terms):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:payments_merchant_statement", args=[terms.merchant_id]),
            _("statement"),
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        bank = {name: data.get(name) or "" for name in BANK_FIELDS}
        bank["country"] = bank.pop("bank_country")
        saved = services.update_payout_terms(
            merchant=data["merchant"], commission_percent=data.get("commission_percent"), **bank
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Pay the selected merchants now"))
    def pay_now(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("merchant"),
            lambda terms: services.pay_merchant_now(merchant=terms.merchant),
            lambda n: _("%(count)d merchant(s) paid.") % {"count": n},
        )

    def get_urls(self):
        return [
            path(
                "statement/<int:merchant_id>/",
                self.admin_site.admin_view(self.statement_view),
                name="payments_merchant_statement",
            ),
            *super().get_urls(),
        ]

    def statement_view(self, request, merchant_id):
        terms = get_object_or_404(MerchantPayoutTerms.objects.select_related("merchant"), merchant_id=merchant_id)
        found = statements.from_request(request, terms.merchant)
        if request.GET.get("format") == "csv":
            return statements.csv_response(found)
        context = {**self.admin_site.each_context(request), "title": _("Statement"), "statement": found, "terms": terms}
        return TemplateResponse(request, "admin/payments/merchant_statement.html", context)


class PayoutInline(ReadOnlyInline):
    model = MerchantPayout
    fields = ["merchant", "currency", "amount", "reference"]
    readonly_fields = fields


@admin.register(MerchantPayoutRun)
class MerchantPayoutRunAdmin(ReadOnlyAdmin):
    list_display = ["key", "message_id", "created_at", "files"]
    fields = ["key", "message_id", "created_at", "held", "files"]
    readonly_fields = fields
    inlines = [PayoutInline]
    change_list_template = "admin/payments/merchantpayoutrun/change_list.html"

    @admin.display(description=_("files"))
    def files(self, run):
        csv_url = reverse("admin:payments_merchantpayoutrun_file", args=[run.pk, "csv"])
        if not run.pain001:
            return format_html('<a href="{}">CSV</a>', csv_url)
        pain = reverse("admin:payments_merchantpayoutrun_file", args=[run.pk, "pain001"])
        return format_html('<a href="{}">CSV</a> · <a href="{}">pain.001</a>', csv_url, pain)

    def get_urls(self):
        return [
            path(
                "<int:pk>/file/<code:kind>/",
                self.admin_site.admin_view(self.download),
                name="payments_merchantpayoutrun_file",
            ),
            path(
                "reconciliation/",
                self.admin_site.admin_view(self.reconciliation_view),
                name="payments_merchant_reconciliation",
            ),
            *super().get_urls(),
        ]

    def download(self, request, pk, kind):
        run = get_object_or_404(MerchantPayoutRun, pk=pk)
        if kind == "pain001" and run.pain001:
            response = HttpResponse(run.pain001, content_type="application/xml")
            response["Content-Disposition"] = f'attachment; filename="merchant-payouts-{run.pk}.pain001.xml"'
            return response
        response = HttpResponse(run.payouts_csv, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="merchant-payouts-{run.pk}.csv"'
        return response

    def reconciliation_view(self, request):
        since = timezone.now() - dt.timedelta(days=int(request.GET.get("days", "31")))
        batches = list(selectors.reconciled_batches().filter(period_end__gte=since).order_by("-period_end")[:50])
        rows = [(batch, selectors.batch_reconciliation(batch)) for batch in batches]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Settlements and merchant credits"),
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/payments/merchant_reconciliation.html", context)
