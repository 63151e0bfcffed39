"""Admin pages of the partner zone: pricing. Ops enter exchange rates here and edit the rounding
and duty rules; every save reprices the listings it affects through the pricing service."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from crossborder.admin_base import ReadOnlyAdmin
from crossborder.models import ExchangeRate

from ..models import DutyRule, Markdown, RoundingRule
from ..services import pricing


def _repriced(modeladmin, request, count):
    modeladmin.message_user(
        request,
        ngettext("%(count)d listing repriced.", "%(count)d listings repriced.", count) % {"count": count},
        messages.INFO,
    )


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    list_display = ["base", "quote", "rate", "source", "as_of", "created_at"]
    list_filter = ["source", "base", "quote"]
    search_fields = ["base", "quote"]
    date_hierarchy = "as_of"
    fields = ["base", "quote", "rate", "source", "as_of"]

    def get_changeform_initial_data(self, request):
        return {"source": ExchangeRate.Source.MANUAL, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        obj.base, obj.quote = obj.base.upper(), obj.quote.upper()
        super().save_model(request, obj, form, change)
        _repriced(self, request, pricing.reprice_affected(currencies={obj.base, obj.quote}))

    def delete_model(self, request, obj):
        currencies = {obj.base, obj.quote}
        super().delete_model(request, obj)
        _repriced(self, request, pricing.reprice_affected(currencies=currencies))


@admin.register(RoundingRule)
class RoundingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["currency", "min_amount", "max_amount", "step", "ending_offset"]
    list_filter = ["currency"]

    def save_model(self, request, obj, form, change):
        obj.currency = obj.currency.upper()
        super().save_model(request, obj, form, change)
        _repriced(self, request, pricing.reprice_affected(everything=True))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _repriced(self, request, pricing.reprice_affected(everything=True))


@admin.register(DutyRule)
class DutyRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "country",
        "regime",
        "hs_prefix",
        "description",
        "duty_rate",
        "vat_rate",
        "consumption_tax_rate",
        "cbec_tax_share",
        "de_minimis",
        "de_minimis_applies",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["country", "regime", "de_minimis_applies"]
    search_fields = ["hs_prefix", "description"]
    fieldsets = [
        (None, {"fields": ["country", "regime", "hs_prefix", "description", "valid_from", "valid_to"]}),
        (_("Rates"), {"fields": ["duty_rate", "vat_rate", "consumption_tax_rate", "cbec_tax_share"]}),
        (_("Limits"), {"fields": ["transaction_limit", "annual_limit", "de_minimis", "de_minimis_applies"]}),
    ]

    def _reprice(self, request, obj, previous_prefix=None):
        # A catch-all rule (and regime-wide values on it: limits, de minimis) affects every listing.
        prefixes = {obj.hs_prefix, previous_prefix} - {None}
        if "" in prefixes:
            count = pricing.reprice_affected(everything=True)
        else:
            count = sum(pricing.reprice_affected(hs_prefix=prefix) for prefix in prefixes)
        _repriced(self, request, count)

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("hs_prefix") if change else None
        super().save_model(request, obj, form, change)
        self._reprice(request, obj, previous)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._reprice(request, obj)


@admin.register(Markdown)
class MarkdownAdmin(ReadOnlyAdmin):
    """Markdowns of aged consignment stock, started by logistics' aged-stock actions (read only)."""

    list_display = ["sku", "listing", "percent", "quantity", "sold", "started_at", "reference"]
    list_filter = ["partnership__partner"]
    list_select_related = ["listing__partnership__partner"]
    search_fields = ["sku", "=reference"]
    readonly_fields = ["reference", "partnership", "listing", "sku", "percent", "quantity", "sold", "started_at"]
