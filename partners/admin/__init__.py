"""The admin of partner scores and compliance: the scoring policy (validated weights and
thresholds; recompute now), prospects (their figures, refused with the reason when impossible),
every score with its parts, the latest scores side by side, breaches, and each partnership's
compliance watch (hold automatic suspension off; resume with a reason)."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from crossborder.admin_base import ReadOnlyAdmin
from crossborder.errors import DomainError

from .. import scoring, selectors
from ..models import ComplianceBreach, ComplianceWatch, PartnerScore, Prospect, ScoringPolicy
from ..services import compliance, prospects, scores


def parts_table(parts):
    # Each cell names its column (data-label), which a phone shows beside it when the table stacks.
    heads = (_("part"), _("value"), _("weight"), _("evidence"))
    rows = format_html_join(
        "",
        '<tr><td data-label="{}">{}</td><td data-label="{}">{}</td><td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td></tr>',
        (
            (
                heads[0],
                scoring.PART_LABELS.get(part["key"], part["key"]),
                heads[1],
                _("missing data") if part["missing"] else part["value"],
                heads[2],
                part["weight"],
                heads[3],
                part["evidence"],
            )
            for part in parts
        ),
    )
    return format_html(
        '<table class="score-parts"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        *heads,
        rows,
    )


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "window_days", "warn_after", "suspend_after", "updated_at"]
    actions = ["recompute"]

    def has_add_permission(self, request):
        # There is one policy, made by the migration (or current_policy()): ops change it. Not a
        # query: the admin asks this on every page, for its navigation.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Recompute every partner's and prospect's scores now"))
    def recompute(self, request, queryset):
        rows = scores.score_partners()
        self.message_user(request, _("%(n)d scores computed.") % {"n": len(rows)}, messages.SUCCESS)


class ProspectForm(forms.ModelForm):
    class Meta:
        model = Prospect
        fields = ["code", "name", "country", "figures"]
        help_texts = {
            "figures": gettext_lazy("An object of whole numbers from 0; known figures: %(names)s.")
            % {"names": ", ".join(scoring.FIGURE_NAMES)}
        }


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    form = ProspectForm
    list_display = ["code", "name", "country", "source", "updated_at"]
    readonly_fields = ["source", "partner", "updated_at"]
    actions = ["score"]

    def save_model(self, request, obj, form, change):
        # Through the service: validated again and scored at once.
        saved, _rows = prospects.save_prospect(
            code=obj.code, name=obj.name, country=obj.country, figures=obj.figures, partner=obj.partner
        )
        obj.pk = saved.pk

    @admin.action(description=gettext_lazy("Score the selected prospects now"))
    def score(self, request, queryset):
        done = 0
        for prospect in queryset:
            try:
                scores.score_prospect(prospect=prospect)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{prospect}: {exc.detail}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d prospects scored.") % {"n": done}, messages.SUCCESS)


@admin.register(PartnerScore)
class PartnerScoreAdmin(ReadOnlyAdmin):
    list_display = ["who", "kind", "value", "missing_parts", "computed_at"]
    list_filter = ["kind", "partner", "prospect"]
    list_select_related = ["partner", "prospect"]
    fields = ["partner", "prospect", "kind", "value", "computed_at", "parts_shown"]
    readonly_fields = fields
    date_hierarchy = "computed_at"

    @admin.display(description=gettext_lazy("platform"))
    def who(self, obj):
        return obj.partner or obj.prospect

    @admin.display(description=gettext_lazy("missing data"))
    def missing_parts(self, obj):
        return ", ".join(str(scoring.PART_LABELS.get(p["key"], p["key"])) for p in obj.parts if p["missing"]) or "—"

    @admin.display(description=gettext_lazy("parts"))
    def parts_shown(self, obj):
        return parts_table(obj.parts)

    def get_urls(self):
        view = self.admin_site.admin_view(self.side_by_side)
        return [path("side-by-side/", view, name="partners_side_by_side"), *super().get_urls()]

    def side_by_side(self, request):
        rows = [
            {
                **row,
                "scores": [
                    _with_missing(row[kind])
                    for kind in (PartnerScore.Kind.CREDIT, PartnerScore.Kind.POTENTIAL, PartnerScore.Kind.LOCALIZATION)
                ],
            }
            for row in selectors.latest_scores()
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Partners and prospects side by side"),
            "rows": rows,
        }
        return TemplateResponse(request, "admin/partners/side_by_side.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("Partner scores")}
        return super().changelist_view(request, extra_context)


def _with_missing(score):
    if score is not None:
        score.missing = [part["key"] for part in score.parts if part["missing"]]
    return score


@admin.register(ComplianceBreach)
class ComplianceBreachAdmin(ReadOnlyAdmin):
    list_display = ["partnership", "term", "severity", "reference", "due_at", "observed_at"]
    list_filter = ["severity", "term", "partnership__partner"]
    list_select_related = ["partnership__partner"]
    fields = ["partnership", "term", "severity", "reference", "due_at", "observed_at", "evidence"]
    readonly_fields = fields
    date_hierarchy = "observed_at"


class WatchForm(forms.ModelForm):
    resume_reason = forms.CharField(
        label=gettext_lazy("resume the suspended zone, because"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Fill in to resume a suspended partnership; recorded with your name."),
    )

    class Meta:
        model = ComplianceWatch
        fields = ["no_auto_suspend_until", "override_reason"]


@admin.register(ComplianceWatch)
class ComplianceWatchAdmin(SimpleHistoryAdmin):
    form = WatchForm
    list_display = [
        "partnership",
        "partnership_status",
        "auto_suspended_at",
        "no_auto_suspend_until",
        "override_reason",
        "override_by",
        "counting_since",
    ]
    list_select_related = ["partnership__partner", "override_by"]
    readonly_fields = ["partnership", "partnership_status", "auto_suspended_at", "counting_since", "override_by"]

    @admin.display(description=gettext_lazy("partnership status"))
    def partnership_status(self, obj):
        return obj.partnership.get_status_display()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Each decision through its service (who and why recorded); nothing saved directly.
        try:
            if "no_auto_suspend_until" in form.changed_data or "override_reason" in form.changed_data:
                compliance.hold_off_auto_suspension(
                    partnership=obj.partnership,
                    until=form.cleaned_data["no_auto_suspend_until"],
                    reason=form.cleaned_data["override_reason"],
                    actor=request.user,
                )
            if form.cleaned_data.get("resume_reason"):
                compliance.resume_partner(
                    partnership=obj.partnership, reason=form.cleaned_data["resume_reason"], actor=request.user
                )
        except DomainError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
