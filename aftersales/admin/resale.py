"""Returned units in the admin: what becomes of each (the disposition the rules chose, the options
allowed here and why the others are excluded), the ops override with its reason, and the rules run
on selected units; and, as the exporter, what partners decided for our goods returned there."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crossborder.admin_base import ReadableJSONMixin, ReadOnlyMixin, run_for_each
from crossborder.errors import DomainError
from crossborder.models import Partnership
from logistics.services import reverse

from ..choices import Disposition
from ..models import ReceivedDisposition, ReturnUnit
from ..returns.services import disposition


class OverrideForm(forms.ModelForm):
    """Ops choose a disposition and say why; the service decides whether it is allowed here."""

    new_disposition = forms.ChoiceField(label=_("decide"), choices=[("", "---"), *Disposition.choices], required=False)
    override_reason = forms.CharField(
        label=_("why"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = ReturnUnit
        fields = []

    def clean(self):
        cleaned = super().clean()
        chosen, reason = cleaned.get("new_disposition"), (cleaned.get("override_reason") or "").strip()
        if not chosen:
            return cleaned
        if not reason:
            self.add_error("override_reason", _("Say why you decide this for the unit."))
            return cleaned
        try:
            options = {o.disposition: o for o in disposition.allowed_dispositions(self.instance)}
        except DomainError as error:
            raise forms.ValidationError(error.detail) from None
        if not options[chosen].allowed:
            self.add_error("new_disposition", options[chosen].why_not)
        return cleaned


@admin.register(ReturnUnit)
class ReturnUnitAdmin(ReadableJSONMixin, SimpleHistoryAdmin):
    form = OverrideForm
    list_display = ["__str__", "grade", "owner", "disposition", "disposition_by_rule", "decided_at"]
    list_filter = ["grade", "disposition", "disposition_by_rule"]
    list_select_related = ["line__order_line", "partnership__partner"]
    search_fields = ["line__order_line__sku"]
    actions = ["apply_rules", "send_back_now"]
    readonly_fields = [
        "line", "number", "owner", "grade", "notes", "inspected_at", "disposition", "disposition_reason",
        "disposition_by_rule", "decided_at", "decided_by", "options",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["line", "number", "owner", "grade", "notes", "inspected_at"]}),
        (
            _("Disposition"),
            {"fields": ["disposition", "disposition_reason", "disposition_by_rule", "decided_at", "decided_by",
                        "options", "new_disposition", "override_reason"]},
        ),
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("owner"))
    def owner(self, unit):
        return unit.partnership.partner.name if unit.partnership_id else _("our own goods")

    @admin.display(description=_("options here"))
    def options(self, unit):
        try:
            options = disposition.allowed_dispositions(unit)
        except DomainError as error:
            return error.detail
        return format_html(
            '<ul class="disposition-options">{}</ul>',
            format_html_join(
                "",
                '<li data-disposition="{}" data-allowed="{}">{}{}</li>',
                (
                    (
                        o.disposition,
                        "yes" if o.allowed else "no",
                        o.label,
                        format_html(" &mdash; {}: {}", _("not allowed"), o.why_not) if not o.allowed else "",
                    )
                    for o in options
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        chosen = form.cleaned_data.get("new_disposition")
        if not chosen:
            return
        try:
            disposition.decide(obj, chosen, reason=form.cleaned_data["override_reason"], actor=request.user)
        except DomainError as error:
            self.message_user(request, error.detail, messages.ERROR)

    @admin.action(description=_("Decide by the agreement's rules"))
    def apply_rules(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.order_by("pk"),
            lambda unit: disposition.apply_rules([unit], actor=request.user),
            lambda n: _("%(n)d units decided by the rules.") % {"n": n},
        )

    @admin.action(description=_("Send back now: a reverse consignment to each partner of the selected units"))
    def send_back_now(self, request, queryset):
        owners = queryset.filter(disposition=Disposition.SEND_BACK).values("partnership")
        run_for_each(
            self,
            request,
            Partnership.objects.filter(pk__in=owners).select_related("partner").order_by("pk"),
            lambda partnership: reverse.send_reverse_consignment(partnership=partnership, actor=request.user.username),
            lambda n: _("%(n)d reverse consignments sent.") % {"n": n},
            label=lambda partnership: partnership.partner.code,
        )


@admin.register(ReceivedDisposition)
class ReceivedDispositionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["unit", "partnership", "sku", "grade", "disposition", "step", "by_rule", "decided_at", "step_at"]
    list_filter = ["disposition", "grade", "by_rule", "partnership"]
    search_fields = ["unit", "sku", "order_line"]
    list_select_related = ["partnership__partner"]
