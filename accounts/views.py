"""The shopper's "My account" pages (sign-up, sign-in, e-mail, phone and password are django-allauth's
views under the same prefix). Every page is the signed-in shopper's own: another shopper's order by
its number is not found, exactly like one that does not exist."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crossborder.errors import DomainError
from partner_zone.services import recommendations
from payments.shop.forms import AddressForm

from . import exports, selectors, services
from .handlers.signin import CHECKOUT_ADDRESS_KEY

DELETE_WORD = "DELETE"


def _page(request, template, context=None, status=200):
    return render(
        request, f"accounts/{template}", {"section": template.split(".")[0], **(context or {})}, status=status
    )


@login_required
def home(request):
    orders = selectors.account_orders(request.user)
    return _page(request, "home.html", {"orders": orders[:3], "order_count": len(orders)})


@login_required
def orders(request):
    return _page(request, "orders.html", {"orders": selectors.account_orders(request.user)})


@login_required
def order(request, number):
    found = selectors.own_order(request.user, number)
    if found is None:
        raise Http404("No such order")
    return _page(request, "order.html", {"order": found})


@login_required
@require_POST
def save_order_address(request, number):
    found = selectors.own_order(request.user, number)
    if found is None:
        raise Http404("No such order")
    try:
        services.save_address(request.user, found.recipient, label=request.POST.get("label", ""))
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect(reverse("accounts:order", args=[number]))
    messages.success(request, _("The address is saved: choose it at your next checkout."))
    return redirect(reverse("accounts:addresses"))


@login_required
def aftersales(request):
    returns, tickets = selectors.aftersales_of(request.user)
    return _page(request, "aftersales.html", {"returns": returns, "tickets": tickets})


@login_required
def addresses(request):
    chosen = request.session.get(CHECKOUT_ADDRESS_KEY)
    return _page(request, "addresses.html", {"addresses": selectors.addresses_of(request.user), "chosen": chosen})


LABEL_MAX = 60


def _address_page(request, *, form, label, address=None, label_error="", status=200):
    return _page(
        request,
        "address_form.html",
        {"form": form, "label": label, "label_error": label_error, "address": address, "label_max": LABEL_MAX},
        status=status,
    )


def _posted_address(request):
    """The posted address through the checkout's own address form (its fields for the platform's
    country and its validation), and the label; (form, label, label_error)."""
    form = AddressForm(request.POST)
    label = request.POST.get("label", "").strip()
    label_error = _("At most %(n)d characters.") % {"n": LABEL_MAX} if len(label) > LABEL_MAX else ""
    return form, label, label_error


@login_required
@require_http_methods(["GET", "POST"])
def add_address(request):
    if request.method == "GET":
        return _address_page(request, form=AddressForm(), label="")
    form, label, label_error = _posted_address(request)
    if form.is_valid() and not label_error:
        try:
            services.save_address(request.user, form.recipient(), label=label)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("The address is saved: choose it at your next checkout."))
            return redirect(reverse("accounts:addresses"))
    return _address_page(request, form=form, label=label, label_error=label_error, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def edit_address(request, address_id):
    try:
        address = services.own_address(request.user, address_id)
    except DomainError as error:
        raise Http404(error.detail)
    if request.method == "GET":
        form = AddressForm(initial=services.address_form_values(address.fields))
        return _address_page(request, form=form, label=address.label, address=address)
    form, label, label_error = _posted_address(request)
    if form.is_valid() and not label_error:
        try:
            services.update_address(request.user, address.pk, form.recipient(), label=label)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("The address is changed."))
            return redirect(reverse("accounts:addresses"))
    return _address_page(request, form=form, label=label, label_error=label_error, address=address, status=400)


@login_required
@require_POST
def use_address(request, address_id):
    try:
        address = services.own_address(request.user, address_id)
    except DomainError as error:
        raise Http404(error.detail)
    request.session[CHECKOUT_ADDRESS_KEY] = address.pk
    return redirect(reverse("payments:checkout"))


@login_required
@require_POST
def delete_address(request, address_id):
    try:
        services.delete_address(request.user, address_id)
    except DomainError as error:
        raise Http404(error.detail)
    if request.session.get(CHECKOUT_ADDRESS_KEY) == address_id:
        del request.session[CHECKOUT_ADDRESS_KEY]
    messages.success(request, _("The address is deleted."))
    return redirect(reverse("accounts:addresses"))


@login_required
def reviews(request):
    return _page(request, "reviews.html", {"reviews": selectors.reviews_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def details(request):
    user = request.user
    profile = selectors.profile_of(user)
    errors = {}
    if request.method == "POST":
        first_name = request.POST.get("first_name", "")
        last_name = request.POST.get("last_name", "")
        language = request.POST.get("language", "")
        for name, value in (("first_name", first_name), ("last_name", last_name)):
            if len(value.strip()) > 150:
                errors[name] = _("At most 150 characters.")
        if language and language not in dict(settings.LANGUAGES):
            errors["language"] = _("Choose one of the languages offered.")
        if not errors:
            services.update_details(user, first_name=first_name, last_name=last_name, language=language)
            messages.success(request, _("Your details are saved."))
            return redirect(reverse("accounts:details"))
    return _page(
        request,
        "details.html",
        {
            "profile": profile,
            "emails": selectors.emails_of(user),
            "errors": errors,
            "language_choices": settings.LANGUAGES,
            "current_language": (profile.language if profile and profile.language else get_language()),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def clear_history(request):
    recommendations.clear_history(request)
    messages.success(request, _("Your browsing and search history is cleared."))
    return redirect(reverse("accounts:privacy"))


@login_required
def privacy(request):
    return _page(request, "privacy.html", {"delete_word": DELETE_WORD, "errors": {}})


@login_required
def export(request):
    data = exports.shopper_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{settings.PLATFORM_CODE}-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def delete(request):
    try:
        services.delete_account(request.user, confirmation=request.POST.get("confirmation", ""), expected=DELETE_WORD)
    except DomainError as error:
        return _page(
            request, "privacy.html", {"delete_word": DELETE_WORD, "errors": {"confirmation": error.detail}}, status=400
        )
    recommendations.clear_history(request)
    logout(request)
    messages.success(
        request, _("Your account is deleted. Orders you placed are kept for our accounts, without your personal data.")
    )
    return redirect(reverse("catalog:home"))
