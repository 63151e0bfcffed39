"""Ops staff's view of the platform core: partners, partnerships, keys, outbox and inbox.
Actions call services; nothing here holds a business rule."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crossborder.admin_base import ReadableJSONMixin, ReadOnlyAdmin, ReadOnlyInline

from . import notifications, outbox, selectors, services
from .errors import DomainError
from .models import (
    InboxMessage,
    Notification,
    OutboxMessage,
    Partner,
    PartnerKey,
    PartnerNotice,
    Partnership,
    PartnershipEvent,
    PartnershipInvitation,
    PlatformIdentity,
    SigningKey,
)
from .terms import Terms, TermsError


@admin.display(description=_("last error"))
def short_error(obj):
    """The start of a row's last error, for a list column."""
    return (obj.last_error or "")[:80]


@admin.register(PlatformIdentity)
class PlatformIdentityAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "country", "currency", "languages", "time_zone", "base_url", "updated_at"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "status", "created_at", "activated_at", "retire_after", "retired_at"]
    list_filter = ["status"]
    exclude = ["private_key_pem"]
    actions = ["rotate_keys"]

    @admin.action(description=_("Rotate this platform's signing key (publish a new key to all partners)"))
    def rotate_keys(self, request, queryset):
        try:
            key = services.rotate_signing_key(actor=request.user)
        except DomainError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
            return
        self.message_user(
            request,
            _("New key %(key)s published; it signs once every partner has acknowledged it.") % {"key": key.key_id},
            messages.SUCCESS,
        )


class PartnerKeyInline(ReadOnlyInline):
    model = PartnerKey
    fields = ["key_id", "status", "not_after", "created_at", "revoked_at"]
    readonly_fields = fields


@admin.register(Partner)
class PartnerAdmin(ReadableJSONMixin, admin.ModelAdmin):
    list_display = ["code", "name", "country", "currency", "base_url", "status"]
    list_filter = ["status", "country"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "created_at", "updated_at"]
    inlines = [PartnerKeyInline]

    def has_add_permission(self, request):
        return False  # partners arrive through a proposal, never by hand


class PartnershipEventInline(ReadOnlyInline):
    model = PartnershipEvent
    fields = ["created_at", "kind", "by_partner", "actor", "detail"]
    readonly_fields = fields


# The agreement's terms as the admin shows them (the columns crossborder.terms.Terms reads).
TERMS_FIELDS = [
    "settlement_currency",
    "commission_rate",
    "fee_schedule",
    "category_scope",
    "settlement_cutoff",
    "starts_on",
    "ends_on",
]


class PartnershipForm(forms.ModelForm):
    """A partnership's terms validate through crossborder.terms.Terms, as at proposal: an unknown
    fee key or a bad value is shown on its field, naming the key; the fee schedule is stored in
    its canonical form."""

    class Meta:
        model = Partnership
        fields = TERMS_FIELDS

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in self.Meta.fields):
            return cleaned
        stated = {name: cleaned[name] for name in self.Meta.fields if cleaned.get(name) not in (None, "")}
        try:
            terms = Terms.parse(stated)
        except TermsError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.detail)
            return cleaned
        if "fee_schedule" in self.fields:
            cleaned["fee_schedule"] = terms.fee_schedule_json()
        return cleaned


@admin.register(Partnership)
class PartnershipAdmin(ReadableJSONMixin, SimpleHistoryAdmin):
    list_display = [
        "partner",
        "status",
        "initiated_by",
        "settlement_currency",
        "commission_rate",
        "settlement_cutoff",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["status", "settlement_currency"]
    list_select_related = ["partner"]
    form = PartnershipForm
    readonly_fields = [
        "reference",
        "partner",
        "status",
        "initiated_by",
        "status_reason",
        "status_changed_at",
        "created_at",
        "outbox_seq",
    ]
    fields = readonly_fields[:6] + TERMS_FIELDS + ["created_at", "outbox_seq"]
    inlines = [PartnershipEventInline]
    # No resume here: ops resume from the partners app's compliance watch (or manage.py
    # resume_partner), which asks why, records who, and restarts the count of breaches.
    actions = ["suspend", "accept"]

    def has_add_permission(self, request):
        return False  # a partnership is proposed through the partner API (manage.py propose_partnership)

    def has_change_permission(self, request, obj=None):
        return False  # terms change only by agreement between the platforms

    def _apply(self, request, queryset, action, reason):
        done = 0
        for partnership in queryset.select_related("partner"):
            try:
                services.change_partnership_status(
                    partnership=partnership, action=action, reason=reason, actor=request.user
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{partnership.partner}: {exc.detail}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d partnership(s) updated; the partner is told.") % {"n": done})

    @admin.action(description=_("Suspend the selected partnerships (hides the partner zone)"))
    def suspend(self, request, queryset):
        self._apply(request, queryset, "suspend", _("Suspended by ops"))

    @admin.action(description=_("Accept the selected proposals"))
    def accept(self, request, queryset):
        self._apply(request, queryset, "accept", "")


@admin.register(PartnershipInvitation)
class PartnershipInvitationAdmin(admin.ModelAdmin):
    list_display = ["label", "auto_accept", "expires_at", "used_at", "used_by"]
    fields = ["label", "auto_accept"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        invitation, token = services.create_invitation(label=obj.label, auto_accept=obj.auto_accept)
        obj.pk = invitation.pk
        self.message_user(
            request,
            _("Give this token to the partner (shown once): %(token)s") % {"token": token},
            messages.WARNING,
        )


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "seq",
        "partnership",
        "message_type",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        short_error,
    ]
    list_filter = ["status", "message_type"]
    list_select_related = ["partnership__partner"]
    actions = ["relay_now"]

    @admin.action(description=_("Relay the selected partnerships' outboxes now"))
    def relay_now(self, request, queryset):
        for partnership_id in set(queryset.values_list("partnership_id", flat=True)):
            result = outbox.relay_partnership(partnership_id)
            self.message_user(
                request,
                _("Delivered %(d)d, rejected %(r)d, waiting after failure %(f)d.")
                % {"d": result.delivered, "r": result.rejected, "f": result.failed},
            )


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "partner", "endpoint", "message_type", "seq", "status", "response_status"]
    list_filter = ["status", "message_type", "partner"]
    list_select_related = ["partner"]
    search_fields = ["idempotency_key"]


@admin.register(PartnerNotice)
class PartnerNoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "partnership", "direction", "subject"]
    list_filter = ["direction"]
    list_select_related = ["partnership__partner"]
    fields = ["partnership", "subject", "body"]

    def has_change_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partnership":
            kwargs["queryset"] = Partnership.objects.filter(status__in=Partnership.LIVE_STATUSES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        notice = services.send_notice(
            partnership=obj.partnership, subject=obj.subject, body=obj.body, actor=request.user
        )
        obj.pk = notice.pk


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What was (or could not be) sent to whom: a failed one is sent again by the sweep, with
    backoff, or at once by the action; a sent one never twice."""

    list_display = ["created_at", "template", "to", "language", "status", "attempts", "sent_at", short_error]
    list_filter = ["status", "template", "language"]
    search_fields = ["to", "key"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    @admin.action(description=_("Send the selected failed notifications again now"))
    def resend(self, request, queryset):
        sent = sum(1 for pk in queryset.values_list("pk", flat=True) if notifications.resend(pk))
        self.message_user(
            request, _("%(n)d notification(s) queued again; sent ones are never sent twice.") % {"n": sent}
        )


def sent_mail_view(request):
    """Ops page of the demo: the mails written to files (no SMTP server configured) and the text
    messages the SMS file backend wrote (the shoppers' codes), newest first."""
    context = {
        **admin.site.each_context(request),
        "title": _("Mail written to files"),
        "mails": notifications.mail_files(),
        "texts": notifications.text_files(),
        "texts_in_files": str(settings.SMS_BACKEND).endswith(".FileBackend"),
        "folder_in_use": settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"),
        "notifications_url": reverse("admin:crossborder_notification_changelist"),
    }
    return TemplateResponse(request, "admin/crossborder/sent_mail.html", context)


def partner_status_view(request):
    """Ops page: per partner, last message sent and received, backlog and last error."""
    context = {
        **admin.site.each_context(request),
        "title": _("Partner status"),
        "rows": selectors.partner_status_rows(),
        "outbox_url": reverse("admin:crossborder_outboxmessage_changelist"),
    }
    return TemplateResponse(request, "admin/crossborder/partner_status.html", context)


def partner_link(partner):
    return format_html('<a href="{}">{}</a>', reverse("admin:crossborder_partner_change", args=[partner.pk]), partner)
