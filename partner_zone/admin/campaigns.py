"""Admin pages of the partner zone: campaigns. Ops localise a partner's proposed campaign (our title,
banner text, a discount within what was suggested and agreed) and accept or decline it; festivals
with their dates per year. Every action calls a campaign service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crossborder.admin_base import run_for_each

from ..models import Campaign, Festival, FestivalDate
from ..services import PartnerZoneError
from ..services import campaigns as service


class FestivalDateInline(admin.TabularInline):
    model = FestivalDate
    extra = 1


@admin.register(Festival)
class FestivalAdmin(admin.ModelAdmin):
    list_display = ["key", "name_en", "name_zh_hans", "name_ja", "country"]
    list_filter = ["country"]
    search_fields = ["key", "name_en", "name_zh_hans", "name_ja"]
    inlines = [FestivalDateInline]


class CampaignForm(forms.ModelForm):
    """Ops' localisation: the discount must stay within the suggested one and the agreement."""

    class Meta:
        model = Campaign
        fields = ["local_title", "banner_text", "discount_percent"]

    def clean_discount_percent(self):
        discount = self.cleaned_data.get("discount_percent")
        if discount is None:
            return discount
        try:
            return service.validate_agreed_discount(self.instance, discount)
        except PartnerZoneError as error:
            raise ValidationError(error.detail) from None


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = [
        "title",
        "local_title",
        "partnership",
        "festival",
        "status",
        "starts_on",
        "ends_on",
        "suggested_discount_percent",
        "discount_percent",
        "partner_share_percent",
    ]
    list_filter = ["status", "festival", "partnership__partner"]
    search_fields = ["title", "local_title", "reference"]
    readonly_fields = [
        "reference",
        "partnership",
        "festival",
        "status",
        "title",
        "starts_on",
        "ends_on",
        "suggested_discount_percent",
        "partner_share_percent",
        "decline_reason",
        "decided_at",
    ]
    fields = [*readonly_fields[:9], "local_title", "banner_text", "discount_percent", "decline_reason", "decided_at"]
    actions = ["accept", "decline"]

    def has_add_permission(self, request):
        return False  # campaigns arrive through the partner API (or propose_campaign on the partner's side)

    def save_model(self, request, obj, form, change):
        if obj.status == Campaign.Status.ACCEPTED:
            # An accepted campaign's new localisation reprices its goods and goes to the partner.
            try:
                service.accept_campaign(
                    obj,
                    local_title=obj.local_title,
                    banner_text=obj.banner_text,
                    discount_percent=obj.discount_percent,
                    actor=request.user,
                )
            except PartnerZoneError as error:
                self.message_user(request, error.detail, messages.ERROR)
            return
        super().save_model(request, obj, form, change)

    def _each(self, request, queryset, operation, done):
        run_for_each(self, request, queryset, operation, done, errors=PartnerZoneError)

    @admin.action(description=_("Accept the selected campaigns (with their localisation)"))
    def accept(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: service.accept_campaign(
                c,
                local_title=c.local_title,
                banner_text=c.banner_text,
                discount_percent=c.discount_percent,
                actor=request.user,
            ),
            lambda n: ngettext("%(count)d campaign accepted.", "%(count)d campaigns accepted.", n) % {"count": n},
        )

    @admin.action(description=_("Decline the selected campaigns"))
    def decline(self, request, queryset):
        reason = str(_("Declined by our operations team."))
        self._each(
            request,
            queryset,
            lambda c: service.decline_campaign(c, reason=reason, actor=request.user),
            lambda n: ngettext("%(count)d campaign declined.", "%(count)d campaigns declined.", n) % {"count": n},
        )
