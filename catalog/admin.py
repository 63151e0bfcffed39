"""Ops staff's view of the catalog: merchants, products with their texts, variants and images,
export offers, and the shared taxonomy. Products and offers change only through the services (admin
actions call them), so what is derived from them and the partners' feeds stay right."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from crossborder.admin_base import ReadableJSONMixin, ReadOnlyAdmin, ReadOnlyInline, run_for_each

from . import services, team, two_factor
from .models import (
    Category,
    ExportOffer,
    Merchant,
    MerchantInvitation,
    MerchantMembership,
    Product,
    ProductImage,
    ProductText,
    ProductVariant,
)


class MerchantMembershipInline(ReadOnlyInline):
    """The team as its owners keep it on their team page (the last-owner rule holds there); ops add
    people by invitation."""

    model = MerchantMembership
    fields = ["user", "role", "created_at"]
    readonly_fields = fields


@admin.register(Merchant)
class MerchantAdmin(ReadableJSONMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email", "is_active", "ships_itself", "product_count", "created_at"]
    list_filter = ["is_active", "ships_itself"]
    search_fields = ["name", "slug", "contact_email", "users__username"]
    readonly_fields = ["created_at"]
    inlines = [MerchantMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description=_("products"), ordering="product_total")
    def product_count(self, merchant):
        return merchant.product_total


class ProductTextInline(ReadOnlyInline):
    model = ProductText
    fields = ["language", "title", "description"]
    readonly_fields = fields


class ProductVariantInline(ReadOnlyInline):
    model = ProductVariant
    fields = [
        "sku",
        "attributes",
        "price",
        "stock",
        "weight_grams",
        "length_mm",
        "width_mm",
        "height_mm",
        "is_active",
        "position",
    ]
    readonly_fields = fields


class ProductImageInline(ReadOnlyInline):
    model = ProductImage
    fields = ["image", "alt_text", "width", "height", "position"]
    readonly_fields = fields


class ExportOfferInline(ReadOnlyInline):
    model = ExportOffer
    fields = ["partnership", "is_offered", "export_price", "direct_stock", "version", "changed_at"]
    readonly_fields = fields


def _run_for_each(modeladmin, request, items, operation, done_message):
    """Call a service per item; report how many went through and each refusal."""
    run_for_each(modeladmin, request, items, operation, done_message, errors=services.CatalogError)


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    # Read only: merchants create products in the merchant area or by import; orders refer to
    # products (archive instead); changes go through the services (the actions below, the
    # merchant area, the import).
    list_display = ["code", "merchant", "category", "brand", "status", "price", "hs_code", "version", "updated_at"]
    list_filter = ["status", "needs_installation", "merchant", "original_language", "country_of_origin"]
    list_select_related = ["merchant", "category"]
    search_fields = ["code", "brand", "hs_code", "texts__title", "variants__sku", "merchant__name"]
    date_hierarchy = "created_at"
    exclude = ["search_vector", "search_document"]
    inlines = [ProductTextInline, ProductVariantInline, ProductImageInline, ExportOfferInline]
    actions = ["archive", "put_on_sale", "make_draft", "flag_needs_installation", "unflag_needs_installation"]

    def _set_status(self, request, queryset, status, done_message):
        _run_for_each(
            self,
            request,
            queryset.select_related("merchant"),
            lambda product: services.set_product_status(merchant=product.merchant, product=product, status=status),
            done_message,
        )

    @admin.action(description=_("Archive (leaves the shop and partner feeds)"))
    def archive(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.select_related("merchant"),
            lambda product: services.archive_product(merchant=product.merchant, product=product),
            lambda n: ngettext("%(n)d product archived.", "%(n)d products archived.", n) % {"n": n},
        )

    @admin.action(description=_("Put on sale"))
    def put_on_sale(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Product.Status.ACTIVE,
            lambda n: ngettext("%(n)d product put on sale.", "%(n)d products put on sale.", n) % {"n": n},
        )

    def _set_installation(self, request, queryset, needs):
        _run_for_each(
            self,
            request,
            queryset,
            lambda product: services.set_needs_installation(product=product, needs_installation=needs),
            lambda n: _("%(n)d products changed.") % {"n": n},
        )

    @admin.action(description=_("Needs installation (offer a local provider at checkout)"))
    def flag_needs_installation(self, request, queryset):
        self._set_installation(request, queryset, True)

    @admin.action(description=_("Needs no installation"))
    def unflag_needs_installation(self, request, queryset):
        self._set_installation(request, queryset, False)

    @admin.action(description=_("Take back to draft"))
    def make_draft(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Product.Status.DRAFT,
            lambda n: ngettext("%(n)d product back to draft.", "%(n)d products back to draft.", n) % {"n": n},
        )


@admin.register(ExportOffer)
class ExportOfferAdmin(ReadOnlyAdmin):
    # Read only; a withdrawn offer stays: the partner's feed sends its tombstone.
    list_display = ["product", "partnership", "is_offered", "export_price", "direct_stock", "version", "changed_at"]
    list_filter = ["is_offered", "partnership__partner", "partnership__status"]
    list_select_related = ["product__merchant", "partnership__partner"]
    search_fields = ["product__code", "product__merchant__name", "partnership__partner__code"]
    readonly_fields = list_display + ["created_at"]
    actions = ["withdraw"]

    @admin.action(description=_("Withdraw from the partner (sent as a tombstone in its feed)"))
    def withdraw(self, request, queryset):
        offers = queryset.filter(is_offered=True).select_related("product__merchant", "partnership__partner")
        _run_for_each(
            self,
            request,
            offers,
            lambda offer: services.set_export_offer(
                merchant=offer.product.merchant,
                product=offer.product,
                partnership=offer.partnership,
                is_offered=False,
                direct_stock=offer.direct_stock,
            ),
            lambda n: ngettext("%(n)d offer withdrawn.", "%(n)d offers withdrawn.", n) % {"n": n},
        )


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    """The shared taxonomy is loaded from the shipped file, never edited by hand: the same ID must
    mean the same category on every partner platform."""

    list_display = ["id", "path_en", "name_zh_hans", "name_ja", "depth", "product_count"]
    list_filter = ["depth"]
    search_fields = ["=id", "path_en", "name_en", "name_zh_hans", "name_ja"]
    readonly_fields = ["id", "parent", "path_en", "name_en", "name_zh_hans", "name_ja", "depth"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(product_total=Count("products", filter=~Q(products__status=Product.Status.ARCHIVED)))
        )

    @admin.display(description=_("products"), ordering="product_total")
    def product_count(self, category):
        return category.product_total


class MerchantInvitationForm(forms.ModelForm):
    """What the service refuses, shown on the form's fields before anything is written."""

    class Meta:
        model = MerchantInvitation
        fields = ["merchant", "email", "role"]

    def clean(self):
        data = super().clean()
        merchant, email = data.get("merchant"), data.get("email")
        if merchant and email and merchant.memberships.filter(user__email__iexact=email).exists():
            self.add_error("email", _("%(email)s is already in the team.") % {"email": email})
        if merchant and not merchant.is_active:
            self.add_error("merchant", _("This merchant is not active."))
        return data


@admin.register(MerchantInvitation)
class MerchantInvitationAdmin(admin.ModelAdmin):
    """Ops invite a merchant's first owner (or any member): adding one sends the one-time link by
    e-mail. An invitation is never edited; a new one replaces a lost link."""

    list_display = ["email", "merchant", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "merchant__name", "merchant__slug"]
    form = MerchantInvitationForm
    fields = ["merchant", "email", "role"]
    list_select_related = ["merchant"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_changeform_initial_data(self, request):
        return {"role": "owner", **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        invitation = team.invite(
            merchant=obj.merchant, email=obj.email, role=obj.role, invited_by=request.user.get_username()
        )
        obj.pk = invitation.pk
        obj.__dict__.update(invitation.__dict__)


# The authenticators themselves are not for ops to browse (django-otp's own pages show the secret
# keys): ops see whether a member has enrolled and reset it when a phone is lost.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(MerchantMembership)
class MerchantMembershipAdmin(ReadOnlyAdmin):
    """Every merchant's team members, read-only (owners keep their team on its page), with the one
    thing ops do for a member: reset a lost two-factor sign-in."""

    list_display = ["user", "merchant", "role", "two_factor", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "merchant__name", "merchant__slug"]
    list_select_related = ["user", "merchant"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        enrolled = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
        return super().get_queryset(request).annotate(enrolled=Exists(enrolled))

    @admin.display(description=_("two-factor sign-in"), boolean=True, ordering="enrolled")
    def two_factor(self, membership):
        return membership.enrolled

    @admin.action(description=_("Reset two-factor sign-in (a lost phone)"))
    def reset_two_factor(self, request, queryset):
        def reset(membership):
            two_factor.reset(membership.user)
            self.log_change(request, membership, str(_("Two-factor sign-in reset")))

        run_for_each(
            self,
            request,
            queryset,
            reset,
            lambda n: (
                ngettext(
                    "Two-factor sign-in reset for %(count)d member: they enrol again at their next sign-in.",
                    "Two-factor sign-in reset for %(count)d members: they enrol again at their next sign-in.",
                    n,
                )
                % {"count": n}
            ),
            errors=services.CatalogError,
            label=lambda membership: membership.user.get_username(),
        )
