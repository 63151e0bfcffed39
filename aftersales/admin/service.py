"""Local service providers and service tickets in the admin: ops register providers with their
price list and areas, issue a provider's page link, and watch the tickets: SLA breaches are a
list filter and shown in red; ops send a ticket to the provider the rule picks or to one they
choose (the override), or cancel it, and answer in the ticket's thread (the shopper and the
provider are told)."""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crossborder.admin_base import ReadableJSONMixin, ReadOnlyInline, run_for_each
from crossborder.errors import DomainError

from ..models import (
    Message,
    ProviderPayout,
    ProviderSkill,
    ServiceArea,
    ServiceProvider,
    ServiceTicket,
    Skill,
    TicketEvent,
)
from ..service import selectors as service_selectors
from ..service.services import links, payouts, tickets


class StaffMessageForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "hours_to_schedule", "hours_to_complete"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProviderSkillForm(forms.ModelForm):
    class Meta:
        model = ProviderSkill
        fields = ["skill", "price"]

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is not None and str(price.currency) != settings.PLATFORM_CURRENCY:
            raise forms.ValidationError(
                _("Prices are in %(currency)s, the local currency.") % {"currency": settings.PLATFORM_CURRENCY}
            )
        return price


class ProviderSkillInline(admin.TabularInline):
    model = ProviderSkill
    form = ProviderSkillForm
    extra = 1


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    fields = ["city", "postcode_prefix"]
    extra = 1


class ServiceProviderForm(forms.ModelForm):
    language = forms.ChoiceField(label=gettext_lazy("language"), choices=settings.LANGUAGES)

    class Meta:
        model = ServiceProvider
        fields = ["name", "contact_name", "email", "phone", "language", "is_active", "notes"]


@admin.register(ServiceProvider)
class ServiceProviderAdmin(admin.ModelAdmin):
    form = ServiceProviderForm
    list_display = ["name", "is_active", "email", "phone", "skills_and_prices", "areas_served", "link_issued_at"]
    list_filter = ["is_active", "skills__skill"]
    search_fields = ["name", "email", "phone", "areas__city"]
    inlines = [ProviderSkillInline, ServiceAreaInline]
    readonly_fields = ["reference", "link_issued_at", "created_at", "statement"]
    actions = ["issue_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("skills__skill", "areas")

    @admin.display(description=gettext_lazy("statement"))
    def statement(self, provider):
        if not provider.pk:
            return "-"
        url = reverse("admin:aftersales_serviceprovider_statement", args=[provider.pk])
        return format_html('<a href="{}" data-statement>{}</a>', url, _("What we owe it, month by month"))

    def get_urls(self):
        page = path(
            "<int:pk>/statement/",
            self.admin_site.admin_view(self.statement_view),
            name="aftersales_serviceprovider_statement",
        )
        payout_csv = path(
            "<int:pk>/payouts/<int:payout>/csv/",
            self.admin_site.admin_view(self.payout_csv_view),
            name="aftersales_serviceprovider_payout_csv",
        )
        return [page, payout_csv, *super().get_urls()]

    def statement_view(self, request, pk):
        """The provider's statement of a month (?month=2026-12, this month by default); a POST
        (with change permission) pays the month out, once."""
        if not self.has_view_permission(request):
            return redirect("admin:index")
        provider = get_object_or_404(ServiceProvider, pk=pk)
        month = service_selectors.month_start(request.GET.get("month"))
        if month is None:
            return HttpResponseBadRequest(_("Give the month as YYYY-MM, e.g. 2026-12."))
        if request.method == "POST":
            if not self.has_change_permission(request, provider):
                return redirect("admin:index")
            try:
                made = payouts.pay_provider(provider=provider, month=month, staff=request.user)
            except DomainError as error:
                self.message_user(request, error.detail, messages.ERROR)
            else:
                if made:
                    paid = ", ".join(str(payout.amount) for payout in made)
                    self.message_user(request, _("Paid out %(amount)s.") % {"amount": paid}, messages.SUCCESS)
                else:
                    self.message_user(request, _("Nothing is owed for this month, or it was paid out already."))
            return redirect(f"{request.path}?month={month:%Y-%m}")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Statement of %(provider)s") % {"provider": provider.name},
            "statement": service_selectors.provider_statement(provider, month),
            "payouts": ProviderPayout.objects.filter(provider=provider, month=month).order_by("pk"),
            "owed": payouts.owed(provider),
            "can_pay": self.has_change_permission(request, provider) and payouts.month_over(month),
            "previous": (month - dt.timedelta(days=1)).strftime("%Y-%m"),
            "next": (month + dt.timedelta(days=32)).strftime("%Y-%m"),
        }
        return TemplateResponse(request, "admin/aftersales/provider_statement.html", context)

    def payout_csv_view(self, request, pk, payout):
        """The CSV of a payout: the tickets it covers and the payout line."""
        if not self.has_view_permission(request):
            return redirect("admin:index")
        found = get_object_or_404(ProviderPayout, pk=payout, provider_id=pk)
        response = HttpResponse(found.csv, content_type="text/csv; charset=utf-8")
        name = f"provider-payout-{found.provider.reference}-{found.month:%Y-%m}-{found.amount.currency}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @admin.display(description=gettext_lazy("skills and prices"))
    def skills_and_prices(self, provider):
        return ", ".join(str(line) for line in provider.skills.all())

    @admin.display(description=gettext_lazy("areas"))
    def areas_served(self, provider):
        return ", ".join(str(area) for area in provider.areas.all())

    @admin.action(description=gettext_lazy("Issue a new page link (the earlier ones stop working)"))
    def issue_link(self, request, queryset):
        for provider in queryset:
            token = links.issue_new_link(provider=provider)
            url = request.build_absolute_uri(reverse("service:provider_home", args=[token]))
            self.message_user(
                request, format_html("{}: <a href='{}'>{}</a>", provider.name, url, url), messages.SUCCESS
            )


class BreachFilter(admin.SimpleListFilter):
    title = gettext_lazy("service level")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("breached", _("missed")), ("kept", _("kept so far"))]

    def queryset(self, request, queryset):
        missed = Q(schedule_breached_at__isnull=False) | Q(complete_breached_at__isnull=False)
        if self.value() == "breached":
            return queryset.filter(missed)
        if self.value() == "kept":
            return queryset.exclude(missed)
        return queryset


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "actor", "note", "detail"]


class DispatchForm(ActionForm):
    provider = forms.ModelChoiceField(
        ServiceProvider.objects.filter(is_active=True),
        required=False,
        label=gettext_lazy("provider (for sending to a chosen one)"),
    )


@admin.register(ServiceTicket)
class ServiceTicketAdmin(ReadableJSONMixin, admin.ModelAdmin):
    list_display = ["number", "skill", "status", "provider", "city", "sla", "payer", "price", "rating", "requested_at"]
    list_filter = [BreachFilter, "status", "skill", "payer", "source", "provider"]
    list_select_related = ["skill", "provider"]
    search_fields = ["title", "name", "email", "phone", "city", "postcode", "provider__name"]
    date_hierarchy = "requested_at"
    inlines = [TicketEventInline]
    action_form = DispatchForm
    actions = ["dispatch_by_rule", "dispatch_to_chosen", "cancel_tickets"]
    readonly_fields = [
        "reference", "skill", "source", "status", "order", "order_line", "product", "return_request", "return_unit",
        "partnership", "title", "problem", "name", "email", "phone", "address", "city", "postcode", "provider", "dispatched_by_ops",
        "scheduled_for", "schedule_due_at", "complete_due_at", "schedule_breached_at", "complete_breached_at",
        "payer", "quantity", "price", "paid_in_order", "cost", "rating", "rating_comment", "rated_at", "thread",
        "conversation", "reply", "requested_at", "completed_at", "repaired", "updated_at",
    ]  # fmt: skip
    exclude = ["token", "language"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("SLA"), ordering="schedule_due_at")
    def sla(self, ticket):
        if ticket.breached:
            missed = ticket.complete_breached_at or ticket.schedule_breached_at
            return format_html(
                '<span style="color:#b42318;font-weight:600" data-breach>{} {}</span>',
                _("missed"),
                missed.strftime("%Y-%m-%d %H:%M"),
            )
        return format_html('<span style="color:#067647">{}</span>', _("on time"))

    @admin.display(description=gettext_lazy("answer"))
    def reply(self, ticket):
        url = reverse("admin:aftersales_serviceticket_message", args=[ticket.pk])
        return format_html('<a class="button" href="{}" data-reply>{}</a>', url, _("Answer in the thread"))

    def get_urls(self):
        page = path(
            "<int:pk>/message/",
            self.admin_site.admin_view(self.message_view),
            name="aftersales_serviceticket_message",
        )
        return [page, *super().get_urls()]

    def message_view(self, request, pk):
        """Staff write in the ticket's thread; the shopper and the provider are told."""
        if not self.has_change_permission(request):
            return redirect("admin:index")
        ticket = get_object_or_404(ServiceTicket.objects.select_related("thread"), pk=pk)
        form = StaffMessageForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                tickets.write_message(
                    ticket=ticket, author=Message.Author.STAFF, staff=request.user, body=form.cleaned_data["body"]
                )
            except DomainError as error:
                form.add_error("body", error.detail)
            else:
                self.message_user(request, _("Your answer is in the thread."), messages.SUCCESS)
                return redirect("admin:aftersales_serviceticket_change", ticket.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Answer in the thread"),
            "form": form,
            "ticket": ticket,
            "conversation": self.conversation(ticket),
        }
        return TemplateResponse(request, "admin/aftersales/ticket_message.html", context)

    @admin.display(description=gettext_lazy("messages"))
    def conversation(self, ticket):
        rows = Message.objects.filter(thread_id=ticket.thread_id).order_by("created_at", "pk")
        items = format_html_join("", "<li><b>{}</b>: {}</li>", ((m.get_author_display(), m.body) for m in rows))
        return format_html("<ol>{}</ol>", items)

    def _each(self, request, queryset, operation, done):
        run_for_each(self, request, queryset, operation, lambda n: done % {"n": n}, label=lambda t: t.number)

    @admin.action(description=gettext_lazy("Send to the provider the rule picks (cheapest in the area)"))
    def dispatch_by_rule(self, request, queryset):
        self._each(request, queryset, lambda t: tickets.dispatch(ticket=t), _("%(n)d tickets sent."))

    @admin.action(description=gettext_lazy("Send to the provider chosen below (override)"))
    def dispatch_to_chosen(self, request, queryset):
        provider = ServiceProvider.objects.filter(pk=request.POST.get("provider") or None, is_active=True).first()
        if provider is None:
            self.message_user(request, _("Choose a provider first."), messages.ERROR)
            return
        self._each(
            request,
            queryset,
            lambda t: tickets.dispatch(ticket=t, provider=provider, staff=request.user),
            _("%(n)d tickets sent."),
        )

    @staticmethod
    def _cancel_and_refund(ticket, request):
        """Call the ticket off, then (committed) give back what the shopper prepaid for it, once."""
        tickets.cancel(ticket=ticket, staff=request.user, reason=_("cancelled by the platform"))
        return tickets.refund_cancelled_ticket(ticket=ticket)

    @admin.action(description=gettext_lazy("Cancel (and refund what the shopper prepaid for it)"))
    def cancel_tickets(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda t: self._cancel_and_refund(t, request),
            _("%(n)d tickets cancelled."),
        )
