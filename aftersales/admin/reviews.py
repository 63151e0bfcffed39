"""Review moderation in the admin: this platform decides what it shows. Reviews are written by
shoppers and partners, never here; ops approve, or hide with a reason (a review written here is
then taken down at the partner too), through the services."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crossborder.admin_base import ReadableJSONMixin, ReadOnlyMixin, run_for_each

from ..models import ProductReview
from ..reviews import services


class HideReasonForm(ActionForm):
    reason = forms.CharField(label=_("Why hidden"), max_length=300, required=False)


@admin.register(ProductReview)
class ProductReviewAdmin(ReadableJSONMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "rating", "origin", "language", "status", "product", "listing", "written_at"]
    list_filter = ["status", "origin", "language", "rating"]
    list_select_related = ["product", "listing__partnership__partner"]
    search_fields = ["title", "text", "author_name", "reference"]
    date_hierarchy = "written_at"
    action_form = HideReasonForm
    actions = ["approve", "hide"]
    fields = [
        "origin", "reference", "product", "listing", "order_line", "language", "rating", "title", "text",
        "author_name", "photos", "photo_urls", "version", "status", "hidden_reason", "moderated_at",
        "moderated_by", "withdrawn_at", "withdrawn_reason", "written_at", "updated_at",
    ]  # fmt: skip

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # Moderating needs the change permission's trust, though nothing is edited in a form.
        actions = super().get_actions(request)
        if not request.user.has_perm("aftersales.change_productreview"):
            actions.pop("approve", None)
            actions.pop("hide", None)
        return actions

    @admin.action(description=_("Approve the selected reviews (show them here)"))
    def approve(self, request, queryset):
        run_for_each(
            self, request, queryset, lambda review: services.approve_review(review=review, actor=request.user),
            lambda n: ngettext("%(n)d review approved.", "%(n)d reviews approved.", n) % {"n": n},
            label=lambda review: review.title,
        )  # fmt: skip

    @admin.action(description=_("Hide the selected reviews, with the reason given"))
    def hide(self, request, queryset):
        reason = request.POST.get("reason", "")
        run_for_each(
            self, request, queryset,
            lambda review: services.hide_review(review=review, reason=reason, actor=request.user),
            lambda n: ngettext("%(n)d review hidden.", "%(n)d reviews hidden.", n) % {"n": n},
            label=lambda review: review.title,
        )  # fmt: skip
