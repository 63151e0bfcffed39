"""After-sales admin: returns with the steps ops take (approve, reject, issue the label, receive with
counts, grade each unit, refund, send the replacement, answer in the thread), each through its
service; everything a service writes is read-only here. And the returns partners report of our goods."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from crossborder.admin_base import ReadOnlyAdmin, ReadOnlyInline, run_for_each
from crossborder.errors import DomainError

from .. import selectors
from ..choices import Grade
from ..models import PartnerReturnNotice, ReturnEvent, ReturnLine, ReturnRequest, ReturnUnit
from ..returns.services import returns, threads


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ["order_line", "quantity", "received", "grades", "refund", "deduction", "deduction_reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line").prefetch_related("units")

    @admin.display(description=_("received"))
    def received(self, line):
        return len(line.units.all())

    @admin.display(description=_("grades"))
    def grades(self, line):
        return ", ".join(f"#{u.number} {u.get_grade_display() or '-'}" for u in line.units.all()) or "-"


class ReturnEventInline(ReadOnlyInline):
    model = ReturnEvent
    fields = ["created_at", "status", "note", "actor", "detail"]
    readonly_fields = fields


class ReasonActionForm(helpers.ActionForm):
    """The action bar, with the reason a rejection gives the shopper."""

    reason = forms.CharField(label=_("reason (for a rejection)"), required=False, max_length=300)


class CountsForm(forms.Form):
    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[f"count-{line.pk}"] = forms.IntegerField(
                label=f"{line.order_line.sku} · {line.order_line.title}",
                min_value=0,
                initial=line.quantity,
                help_text=_("announced: %(n)d") % {"n": line.quantity},
            )


class GradesForm(forms.Form):
    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        for unit in units:
            label = f"{unit.line.order_line.sku} · {unit.line.order_line.title} #{unit.number}"
            self.fields[f"grade-{unit.pk}"] = forms.ChoiceField(
                label=label, choices=[("", "---"), *Grade.choices], initial=unit.grade, required=False
            )
            self.fields[f"notes-{unit.pk}"] = forms.CharField(
                label=_("notes"), initial=unit.notes, required=False, max_length=2000
            )
            self.fields[f"photos-{unit.pk}"] = forms.FileField(label=_("photos"), required=False)


class RefundForm(forms.Form):
    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[f"amount-{line.pk}"] = forms.CharField(
                label=f"{line.order_line.sku} · {line.order_line.title}",
                required=False,
                help_text=_("empty: what the policy gives; more, up to what was paid, waives a fee"),
            )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("message"), widget=forms.Textarea, max_length=4000)
    attachments = forms.FileField(label=_("photo"), required=False)


def _with_field_error(form, error):
    """A service's refusal shown on its field (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.detail)


def _action(name, description, service, done, *, with_reason=False):
    """An admin action that runs `service(request=<return>, actor=<user>)` on each selected return
    (with the action bar's reason when `with_reason`), reporting refusals per return."""

    def action(modeladmin, request, queryset):
        extra = {"reason": request.POST.get("reason", "")} if with_reason else {}
        run_for_each(
            modeladmin,
            request,
            queryset.order_by("pk"),
            lambda found: service(request=found, actor=request.user, **extra),
            lambda n: done % {"n": n},
            label=lambda found: found.token,
        )

    action.__name__ = name
    action.short_description = description
    return action


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdmin):
    list_display = ["token", "order_number", "kind", "status", "reason", "created_at", "unit_count", "unread"]
    list_filter = ["status", "kind", "reason", "created_at"]
    search_fields = ["token", "order__number", "order__email", "label_number"]
    date_hierarchy = "created_at"
    fields = [
        "token", "reference", "order", "kind", "status", "reason", "reason_text", "photo_links", "warehouse",
        "label_number", "policy", "created_at", "updated_at", "steps", "thread_messages",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [ReturnLineInline, ReturnEventInline]
    action_form = ReasonActionForm

    def get_queryset(self, request):
        return selectors.admin_returns()

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("aftersales.change_returnrequest")  # the steps; fields stay read-only

    @admin.display(description=_("order"), ordering="order__number")
    def order_number(self, found):
        return found.order.number

    @admin.display(description=_("units received"), ordering="unit_count")
    def unit_count(self, found):
        return found.unit_count

    @admin.display(description=_("unread"), ordering="unread")
    def unread(self, found):
        return found.unread or ""

    @admin.display(description=_("photos"))
    def photo_links(self, found):
        links = ((default_storage.url(name), name.rsplit("/", 1)[-1]) for name in found.photos)
        return format_html_join(" ", '<a href="{}">{}</a>', links) or "-"

    @admin.display(description=_("next steps"))
    def steps(self, found):
        links = [
            (reverse(f"admin:aftersales_returnrequest_{name}", args=[found.pk]), label)
            for name, label, statuses in STEPS
            if found.status in statuses
        ]
        links.append((reverse("admin:aftersales_returnrequest_message", args=[found.pk]), _("Answer in the thread")))
        return format_html_join(" · ", '<a class="button" href="{}">{}</a>', links)

    @admin.display(description=_("messages"))
    def thread_messages(self, found):
        rows = [
            (date_format(timezone.localtime(m.created_at), "SHORT_DATETIME_FORMAT"), m.get_author_display(), m.body)
            for m in found.thread.messages.all()
        ]
        return format_html_join("", "<p><small>{} · {}</small><br>{}</p>", rows) or "-"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        found = ReturnRequest.objects.filter(pk=object_id).select_related("thread").first()
        if found is not None:
            threads.mark_read_by_staff(thread=found.thread)
        # Every field is the services'; the steps are the links and actions, never a save.
        no_save = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **no_save})

    # --- actions: each calls one service per selected return ------------------------------------

    actions = [
        _action("approve", _("Approve (the shopper is told)"), returns.approve_return, _("%(n)d return(s) approved.")),
        _action(
            "reject",
            _("Reject with the reason given above"),
            lambda *, request, actor, reason: returns.reject_return(request=request, reason=reason, actor=actor),
            _("%(n)d return(s) rejected."),
            with_reason=True,
        ),
        _action(
            "issue_label",
            _("Issue the return label (drop-off at our home warehouse)"),
            returns.issue_label,
            _("%(n)d return(s) labelled."),
        ),
        _action(
            "refund",
            _("Refund inspected returns as their policy says"),
            returns.refund_return,
            _("%(n)d return(s) refunded."),
        ),
        _action(
            "exchange",
            _("Send the replacement of inspected exchanges (refund when out of stock)"),
            returns.exchange_return,
            _("%(n)d exchange(s) handled."),
        ),
    ]

    # --- the step pages ----------------------------------------------------------------------------

    def get_urls(self):
        pages = [
            path(
                f"<int:pk>/{name}/",
                self.admin_site.admin_view(getattr(self, f"{name}_view")),
                name=f"aftersales_returnrequest_{name}",
            )
            for name in ("receive", "grade", "refund", "message")
        ]
        return [*pages, *super().get_urls()]

    def _step(self, request, pk, *, title, build, run, intro=""):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        found = get_object_or_404(ReturnRequest.objects.select_related("order", "thread"), pk=pk)
        posted = request.method == "POST"
        form = build(found, request.POST if posted else None, request.FILES if posted else None)
        if posted and form.is_valid():
            try:
                run(found, form.cleaned_data, request)
            except DomainError as error:
                _with_field_error(form, error)
            else:
                self.message_user(request, _("Done: %(title)s.") % {"title": title}, messages.SUCCESS)
                return redirect("admin:aftersales_returnrequest_change", found.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "return": found,
            "intro": intro,
        }
        return TemplateResponse(request, "admin/aftersales/return_step.html", context)

    def receive_view(self, request, pk):
        def build(found, data, files):
            return CountsForm(data, lines=found.lines.select_related("order_line"))

        def run(found, cleaned, request):
            counts = {int(key.removeprefix("count-")): value for key, value in cleaned.items()}
            returns.receive_return(request=found, counts=counts, actor=request.user)

        return self._step(request, pk, title=_("Receive and count"), build=build, run=run)

    def grade_view(self, request, pk):
        def build(found, data, files):
            units = ReturnUnit.objects.filter(line__request=found).select_related("line__order_line")
            return GradesForm(data, files, units=units)

        def run(found, cleaned, request):
            grades = {}
            for key, grade in cleaned.items():
                if key.startswith("grade-") and grade:
                    pk = key.removeprefix("grade-")
                    upload = request.FILES.get(f"photos-{pk}")
                    photos = (
                        returns.store_photos(returns.clean_photos([upload], field=f"photos-{pk}")) if upload else []
                    )
                    grades[int(pk)] = (grade, cleaned.get(f"notes-{pk}", ""), photos)
            returns.grade_units(request=found, grades=grades, actor=request.user)

        return self._step(request, pk, title=_("Inspect and grade"), build=build, run=run)

    def refund_view(self, request, pk):
        def build(found, data, files):
            return RefundForm(data, lines=found.lines.select_related("order_line"))

        def run(found, cleaned, request):
            amounts = {int(key.removeprefix("amount-")): value for key, value in cleaned.items() if value}
            returns.refund_return(request=found, actor=request.user, amounts=amounts)

        return self._step(request, pk, title=_("Refund"), build=build, run=run)

    def message_view(self, request, pk):
        def build(found, data, files):
            return MessageForm(data, files)

        def run(found, cleaned, request):
            upload = cleaned.get("attachments")
            returns.write_on_return(
                request=found,
                body=cleaned["body"],
                by="staff",
                staff=request.user,
                attachments=[upload] if upload else [],
            )

        return self._step(request, pk, title=_("Answer in the thread"), build=build, run=run)


STEPS = [
    ("receive", _("Receive and count"), (ReturnRequest.Status.APPROVED, ReturnRequest.Status.LABEL_ISSUED)),
    ("grade", _("Inspect and grade"), (ReturnRequest.Status.RECEIVED,)),
    ("refund", _("Refund"), (ReturnRequest.Status.INSPECTED,)),
]


@admin.register(PartnerReturnNotice)
class PartnerReturnNoticeAdmin(ReadOnlyAdmin):
    """Returns of our goods that partners' shoppers made there, step by step, as the partner told us."""

    list_display = ["order_number", "partnership", "step", "reason", "summary", "occurred_at", "received_at"]
    list_filter = ["step", "reason", "partnership__partner"]
    list_select_related = ["partnership__partner"]
    search_fields = ["order_number", "return_reference", "order_reference"]
    fields = ["partnership", "return_reference", "order_reference", "order_number", "step", "reason", "lines",
              "occurred_at", "received_at"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("lines"))
    def summary(self, notice):
        return format_html_join(
            "; ",
            "{} × {}{}",
            (
                (
                    line.get("sku"),
                    line.get("quantity"),
                    f" ({', '.join(line.get('grades', []))})" if line.get("grades") else "",
                )
                for line in notice.lines
            ),
        )
