"""The merchant area: a merchant's users list their goods, edit them, import and export them as a
spreadsheet, offer them to partner platforms and see what is exported. Thin: every change is one
call to catalog.services (or catalog.imports); the pages' reads are built here once per page with a
fixed number of queries."""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crossborder.selectors import live_partnerships

from . import forms, hooks, imports, selectors, services, team, two_factor
from .abroad import COLUMNS as ABROAD_COLUMNS
from .abroad import mirrored_figures
from .models import ExportOffer, MerchantMembership, Product, ProductImage, ProductText, ProductVariant
from .selectors import HEAVY_COLUMNS, pick_text

MERCHANT_SESSION_KEY = "merchant_id"
PAGE_SIZE = 25
NEW_PRODUCT_VARIANT_ROWS = 3
EDIT_PRODUCT_EXTRA_ROWS = 1


# --- who is acting: a logged-in user, for one of their merchants -------------------------------


class MerchantLoginView(auth_views.LoginView):
    template_name = "merchant/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("merchant:start")


class MerchantLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("merchant:login")


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _memberships(user):
    """The user's places in active merchants' teams, with the merchant: one query."""
    return list(
        MerchantMembership.objects.filter(user=user, merchant__is_active=True)
        .select_related("merchant")
        .order_by("merchant__name", "merchant_id")
    )


def _member_merchants(user):
    return [membership.merchant for membership in _memberships(user)]


def _with_next(url_name, request):
    query = QueryDict(mutable=True)
    query["next"] = request.get_full_path()
    return redirect(f"{reverse(url_name)}?{query.urlencode(safe='/')}")


def _check_roles(roles):
    unknown = [role for role in roles if role not in team.ROLES]
    if unknown:
        raise ImproperlyConfigured(f"merchant_required: unknown role(s) {unknown}; roles are {team.ROLES}")
    return tuple(roles)


def merchant_required(view=None, *, roles=()):
    """Log in first; then act for the merchant chosen in this session (or the only one), as a
    member with one of `roles` (none given: any role; the owner has every role). A user in
    several merchants picks one; a user in none is told so; a member without the role gets a 403
    page naming it. Owners and finance must have enrolled a second factor and passed it in this
    session (catalog/two_factor.py). Use as `@merchant_required` or `@merchant_required(roles=(...))`."""
    roles = _check_roles(roles)

    def decorate(view):
        @login_required(login_url="merchant:login")
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            memberships = _memberships(request.user)
            if not memberships:
                return render(request, "merchant/no_merchant.html", status=403)
            chosen = request.session.get(MERCHANT_SESSION_KEY)
            membership = next((m for m in memberships if m.merchant_id == chosen), None)
            if membership is None:
                if len(memberships) > 1:
                    return _with_next("merchant:choose", request)
                membership = memberships[0]
            request.merchant = membership.merchant
            request.membership = membership
            request.member_merchants = [m.merchant for m in memberships]
            if membership.role in team.TWO_FACTOR_ROLES:
                if not two_factor.is_enrolled(request.user):
                    return _with_next("merchant:two-factor-setup", request)
                if not request.user.is_verified():
                    return _with_next("merchant:two-factor", request)
            if roles and not membership.has_role(*roles):
                return render(
                    request,
                    "merchant/role_required.html",
                    {"needed": [team.role_label(role) for role in roles], "role": team.role_label(membership.role)},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


CATALOG = ("catalog",)


@login_required(login_url="merchant:login")
def start(request):
    """Where a member lands after signing in: the first page its role opens (products for the
    catalog and owners; orders for fulfilment and money for finance where those pages exist)."""
    memberships = _memberships(request.user)
    chosen = request.session.get(MERCHANT_SESSION_KEY)
    membership = next((m for m in memberships if m.merchant_id == chosen), memberships[0] if memberships else None)
    if membership is not None and not membership.has_role("catalog"):
        for url_name in START_PAGES.get(membership.role, ()):
            try:
                return redirect(reverse(url_name))
            except NoReverseMatch:
                continue
    return redirect("merchant:products")


# The first page of a role without the catalog, by URL name (the orders and money pages' names).
START_PAGES = {
    "fulfilment": ("payments:merchant-orders", "merchant:orders"),
    "finance": ("payments:merchant-money", "merchant:money"),
}


@login_required(login_url="merchant:login")
def choose_merchant(request):
    merchants = _member_merchants(request.user)
    if not merchants:
        return render(request, "merchant/no_merchant.html", status=403)
    if request.method == "POST":
        merchant = next((m for m in merchants if str(m.pk) == request.POST.get("merchant")), None)
        if merchant is not None:
            request.session[MERCHANT_SESSION_KEY] = merchant.pk
            return redirect(_safe_next(request, reverse("merchant:start")))
    return render(
        request,
        "merchant/choose.html",
        {
            "merchants": merchants,
            "current": request.session.get(MERCHANT_SESSION_KEY),
            "next": _safe_next(request, ""),
        },
    )


def _own_product(request, reference):
    """One of the current merchant's products; another merchant's reference is simply not found."""
    return get_object_or_404(
        Product.objects.filter(merchant=request.merchant).defer(*HEAVY_COLUMNS), reference=reference
    )


# --- reads -------------------------------------------------------------------------------------


def _titles():
    return Prefetch("texts", queryset=ProductText.objects.only("id", "product_id", "language", "title"))


def _title(product, language):
    text, _fallback = pick_text(product.texts.all(), language, product.original_language)
    return text.title if text else ""


def merchant_products(merchant):
    """The merchant's products with what the list shows, whatever the page size: total stock and
    partners offered to as subqueries (so neither multiplies the other), titles in one prefetch."""
    stock = (
        ProductVariant.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(total=Sum("stock"))
        .values("total")
    )
    offered = (
        ExportOffer.objects.filter(product=OuterRef("pk"), is_offered=True)
        .order_by()
        .values("product")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        Product.objects.filter(merchant=merchant)
        .defer(*HEAVY_COLUMNS)
        .annotate(
            total_stock=Coalesce(Subquery(stock, output_field=IntegerField()), Value(0)),
            offered_count=Coalesce(Subquery(offered, output_field=IntegerField()), Value(0)),
        )
        .prefetch_related(_titles())
        .order_by("-created_at", "-id")
    )


def filter_products(products, filters):
    status = filters.get("status")
    if status:
        products = products.filter(status=status)
    query = (filters.get("q") or "").strip()
    if query:
        titled = ProductText.objects.filter(product=OuterRef("pk"), title__icontains=query)
        products = products.filter(Q(code__icontains=query) | Q(Exists(titled)))
    return products


@dataclass
class ProductRow:
    product: Product
    title: str
    total_stock: int
    offered_count: int


def abroad_products(merchant):
    """The merchant's products with at least one export offer (offered or withdrawn), each with
    its offers and their partners: three queries for any number of products."""
    offers = ExportOffer.objects.select_related("partnership__partner").order_by("partnership__partner__code", "pk")
    return (
        Product.objects.filter(merchant=merchant)
        .filter(Exists(ExportOffer.objects.filter(product=OuterRef("pk"))))
        .defer(*HEAVY_COLUMNS)
        .prefetch_related(_titles(), Prefetch("export_offers", queryset=offers))
        .order_by("-created_at", "-id")
    )


# --- product list ------------------------------------------------------------------------------


@merchant_required(roles=CATALOG)
def product_list(request):
    filters = forms.ProductListFilterForm(request.GET)
    products = merchant_products(request.merchant)
    if filters.is_valid():
        products = filter_products(products, filters.cleaned_data)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    language = get_language()
    rows = [
        ProductRow(
            product=product,
            title=_title(product, language),
            total_stock=product.total_stock,
            offered_count=product.offered_count,
        )
        for product in page.object_list
    ]
    return render(
        request,
        "merchant/product_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "formats": imports.FORMATS,
            "sections": hooks.merchant_list_snippets(request, request.merchant, rows),
        },
    )


# --- one product: fields, texts, variants, images, export offers --------------------------------


def _offer_forms(product, data=None):
    existing = {}
    if product is not None:
        existing = {offer.partnership_id: offer for offer in product.export_offers.all()}
    return [
        forms.ExportOfferForm(data, partnership=partnership, offer=existing.get(partnership.pk))
        for partnership in live_partnerships()
    ]


def _render_product(request, product, *, form=None, formset=None, image_form=None, offer_forms=None):
    prefetch_related_objects([product], "texts", "variants", "images", "export_offers")
    if form is None:
        form = forms.ProductForm(initial=forms.ProductForm.initial_for(product), product=product)
    if formset is None:
        formset = forms.variant_formset_class(EDIT_PRODUCT_EXTRA_ROWS)(
            initial=forms.variant_initial(product), prefix="variants"
        )
    return render(
        request,
        "merchant/product_form.html",
        {
            "product": product,
            "title": _title(product, get_language()),
            "form": form,
            "formset": formset,
            "images": list(product.images.all()),
            "image_form": image_form or forms.ImageUploadForm(),
            "offer_forms": offer_forms if offer_forms is not None else _offer_forms(product),
            "currency": settings.PLATFORM_CURRENCY,
            "attribute_columns": forms.attribute_columns(),
            "sections": hooks.merchant_product_snippets(request, request.merchant, product) if product else [],
        },
    )


def _save_product(request, product):
    """Parse the product form and its variant rows and save them through the service. Returns a
    redirect when saved, else the forms to show again (nothing changed)."""
    extra = NEW_PRODUCT_VARIANT_ROWS if product is None else EDIT_PRODUCT_EXTRA_ROWS
    form = forms.ProductForm(request.POST, product=product)
    formset = forms.variant_formset_class(extra)(request.POST, prefix="variants")
    if form.is_valid() and formset.is_valid():
        try:
            saved = services.save_product(
                merchant=request.merchant,
                data=forms.product_input(form, formset),
                product=product,
                replace_variants=product is not None,
                actor=request.user.get_username(),
            )
        except services.CatalogError as error:
            if not formset.add_service_error(error):
                form.add_service_error(error)
        else:
            messages.success(request, _("Product %(code)s saved.") % {"code": saved.code})
            return redirect("merchant:product", reference=saved.reference), None, None
    return None, form, formset


@merchant_required(roles=CATALOG)
def product_new(request):
    form = formset = None
    if request.method == "POST":
        response, form, formset = _save_product(request, None)
        if response is not None:
            return response
    return render(
        request,
        "merchant/product_form.html",
        {
            "product": None,
            "form": form or forms.ProductForm(),
            "formset": formset or forms.variant_formset_class(NEW_PRODUCT_VARIANT_ROWS)(prefix="variants"),
            "currency": settings.PLATFORM_CURRENCY,
            "attribute_columns": forms.attribute_columns(),
        },
    )


@merchant_required(roles=CATALOG)
def product_edit(request, reference):
    product = _own_product(request, reference)
    if request.method == "POST":
        response, form, formset = _save_product(request, product)
        if response is not None:
            return response
        return _render_product(request, product, form=form, formset=formset)
    return _render_product(request, product)


@require_POST
@merchant_required(roles=CATALOG)
def product_archive(request, reference):
    product = _own_product(request, reference)
    services.archive_product(merchant=request.merchant, product=product)
    messages.success(
        request, _("Product %(code)s archived: it has left the storefront and partner feeds.") % {"code": product.code}
    )
    return redirect("merchant:products")


@require_POST
@merchant_required(roles=CATALOG)
def image_upload(request, reference):
    product = _own_product(request, reference)
    image_form = forms.ImageUploadForm(request.POST, request.FILES)
    if image_form.is_valid():
        try:
            services.add_product_image(
                merchant=request.merchant,
                product=product,
                upload=image_form.cleaned_data["image"],
                alt_text=image_form.cleaned_data["alt_text"],
            )
        except services.CatalogError as error:
            image_form.add_error("image" if error.field == "image" else None, str(error.detail))
        else:
            messages.success(request, _("Image added."))
            return redirect("merchant:product", reference=product.reference)
    return _render_product(request, product, image_form=image_form)


@require_POST
@merchant_required(roles=CATALOG)
def image_remove(request, reference, image_id):
    product = _own_product(request, reference)
    image = get_object_or_404(ProductImage.objects.select_related("product"), pk=image_id, product=product)
    services.remove_product_image(merchant=request.merchant, image=image)
    messages.success(request, _("Image removed."))
    return redirect("merchant:product", reference=product.reference)


@require_POST
@merchant_required(roles=CATALOG)
def offers_save(request, reference):
    """All rows or none: a refused row shows its error and nothing is saved."""
    product = _own_product(request, reference)
    offer_forms = _offer_forms(product, request.POST)
    if not all(form.is_valid() for form in offer_forms):
        return _render_product(request, product, offer_forms=offer_forms)
    changed = [form for form in offer_forms if form.needs_saving()]
    try:
        services.set_export_offers(
            merchant=request.merchant,
            product=product,
            rows=[services.OfferInput(partnership=form.partnership, **form.offer_arguments()) for form in changed],
        )
    except services.OfferRowError as error:
        next(form for form in changed if form.partnership.pk == error.partnership.pk).add_service_error(error)
        messages.error(request, _("Nothing was saved; fix the row marked below."))
        return _render_product(request, product, offer_forms=offer_forms)
    messages.success(request, _("Export offers saved."))
    return redirect(reverse("merchant:product", args=[product.reference]) + "#offers")


# --- spreadsheet import and export -------------------------------------------------------------


@merchant_required(roles=CATALOG)
def import_products(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = imports.import_products(request.merchant, upload.read(), filename=upload.name)
        except services.CatalogError as error:
            form.add_error("file", str(error.detail))
        else:
            form = forms.ImportForm()
    return render(
        request,
        "merchant/import.html",
        {
            "form": form,
            "report": report,
            "formats": imports.FORMATS,
            "columns": imports.COLUMNS,
            "max_bytes": settings.CATALOG_MAX_IMPORT_BYTES,
        },
    )


def _attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _check_format(fmt):
    if fmt not in imports.FORMATS:
        raise Http404("Unknown spreadsheet format")


@merchant_required(roles=CATALOG)
def export_products(request, fmt):
    _check_format(fmt)
    return _attachment(*imports.export_products(request.merchant, fmt))


@merchant_required(roles=CATALOG)
def import_template(request, fmt):
    _check_format(fmt)
    return _attachment(*imports.template_file(fmt))


# --- abroad: where the merchant's goods are offered --------------------------------------------


@merchant_required(roles=CATALOG)
def abroad(request):
    """Per product and partner: offered, mirrored, viewed, sold, returned, stock in the partner's
    warehouse and its age; per partner what its shoppers searched for without results. The figures
    of later apps come through catalog.hooks.abroad_figures (catalog/abroad.py)."""
    page = Paginator(abroad_products(request.merchant), PAGE_SIZE).get_page(request.GET.get("page"))
    products = list(page.object_list)
    figures = mirrored_figures(products)
    figures.merge(hooks.abroad_figures_of(request.merchant, products))
    language = get_language()
    rows = [
        {
            "product": product,
            "title": _title(product, language),
            "offers": [
                {
                    "offer": offer,
                    "cells": [
                        {
                            "column": column,
                            "label": label,
                            "figures": figures.cells.get((product.pk, offer.partnership_id), {}).get(column, []),
                        }
                        for column, label in ABROAD_COLUMNS.items()
                    ],
                }
                for offer in product.export_offers.all()
            ],
        }
        for product in products
    ]
    partners = {}
    for product in products:
        for offer in product.export_offers.all():
            partners.setdefault(offer.partnership_id, offer.partnership.partner)
    searches = [
        {"partner": partner, "searches": figures.searches.get(pk, []), "notes": figures.notes.get(pk, [])}
        for pk, partner in partners.items()
    ]
    return render(
        request,
        "merchant/abroad.html",
        {"page": page, "rows": rows, "partners": searches, "columns": list(ABROAD_COLUMNS.items())},
    )


@merchant_required(roles=CATALOG)
def shop_names(request):
    """The shop's name in each language shoppers read, here and on partners' storefronts."""
    form = forms.ShopNamesForm(request.POST or None, merchant=request.merchant)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_shop_names(merchant=request.merchant, names=form.names())
        except services.CatalogError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The shop's names are saved."))
            return redirect("merchant:shop")
    return render(request, "merchant/shop.html", {"form": form}, status=400 if form.errors else 200)


@merchant_required(roles=CATALOG)
def category_search(request):
    """The category picker's matches for what the merchant typed, in the merchant's language:
    {"results": [{"id", "name", "path", "path_en"}]}."""
    language = get_language()
    matches = selectors.search_categories(request.GET.get("q", ""), language)
    return JsonResponse(
        {"results": [{"id": m.id, "name": m.name, "path": m.path, "path_en": m.path_en} for m in matches]}
    )
