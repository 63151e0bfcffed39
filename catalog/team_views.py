"""The merchant area's team pages: the owner's team page (invite, change a role, remove), the
invitation link's page, and two-factor enrolment and sign-in. Thin: each change is one call to
catalog.team or catalog.two_factor."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import forms, team, two_factor
from .merchant_views import _safe_next, merchant_required
from .services import CatalogError

OWNER = ("owner",)


def _team_page(request, *, invite_form=None, status=200):
    return render(
        request,
        "merchant/team.html",
        {
            "members": team.team_of(request.merchant),
            "invitations": team.pending_invitations(request.merchant),
            "invite_form": invite_form or forms.InviteForm(),
            "roles": forms.MerchantRole.choices,
        },
        status=status,
    )


@merchant_required(roles=OWNER)
def team_page(request):
    return _team_page(request)


@require_POST
@merchant_required(roles=OWNER)
def team_invite(request):
    form = forms.InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = team.invite(
                merchant=request.merchant,
                invited_by=request.user.get_username(),
                **form.cleaned_data,
            )
        except CatalogError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.detail))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("merchant:team")
    return _team_page(request, invite_form=form, status=400)


@require_POST
@merchant_required(roles=OWNER)
def team_role(request, member_id):
    role = request.POST.get("role", "")
    try:
        team.change_role(merchant=request.merchant, member_id=member_id, role=team.check_role(role))
    except CatalogError as error:
        messages.error(request, str(error.detail))
        return redirect("merchant:team")
    messages.success(request, _("Role changed."))
    return redirect("merchant:team")


@require_POST
@merchant_required(roles=OWNER)
def team_remove(request, member_id):
    try:
        team.remove_member(merchant=request.merchant, member_id=member_id)
    except CatalogError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Removed from the team."))
    return redirect("merchant:team")


def invitation(request, token):
    """The one-time link: a new login sets its password here; a signed-in one joins at once."""
    try:
        invite = team.open_invitation(token)
    except CatalogError as error:
        return render(request, "merchant/invitation.html", {"refused": error.detail}, status=410)
    form = forms.JoinForm(request.POST or None)
    signed_in = request.user.is_authenticated
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            if signed_in:
                team.accept_invitation(token=token, user=request.user)
            else:
                membership = team.accept_invitation(token=token, password=form.cleaned_data["password1"])
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        except CatalogError as error:
            if error.field == "password" and not signed_in:
                form.add_error("password1", str(error.detail))
            else:
                return render(request, "merchant/invitation.html", {"refused": error.detail}, status=400)
        else:
            request.session["merchant_id"] = invite.merchant_id
            messages.success(request, _("Welcome to %(merchant)s's team.") % {"merchant": invite.merchant.name_in()})
            return redirect("merchant:start")
    return render(
        request,
        "merchant/invitation.html",
        {"invitation": invite, "role": team.role_label(invite.role), "form": form},
        status=400 if form.errors else 200,
    )


@login_required(login_url="merchant:login")
def two_factor_setup(request):
    """Enrol an authenticator: scan the QR code (or type the key), enter one code; the backup
    codes are then shown once."""
    if two_factor.is_enrolled(request.user):
        query = QueryDict(mutable=True)
        query["next"] = _safe_next(request, reverse("merchant:start"))
        return redirect(f"{reverse('merchant:two-factor')}?{query.urlencode(safe='/')}")
    device = two_factor.pending_device(request.user)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(request, code=form.cleaned_data["code"])
        except CatalogError as error:
            form.add_error("code", str(error.detail))
        else:
            return render(
                request,
                "merchant/two_factor_codes.html",
                {"codes": codes, "next": _safe_next(request, reverse("merchant:start"))},
            )
    return render(
        request,
        "merchant/two_factor_setup.html",
        {
            "form": form,
            "qr": mark_safe(two_factor.qr_svg(device)),  # noqa: S308 (SVG drawn by qrcode from our own key)
            "secret": two_factor.secret_text(device),
            "next": _safe_next(request, ""),
        },
        status=400 if form.errors else 200,
    )


@login_required(login_url="merchant:login")
def two_factor_verify(request):
    """The second step of each sign-in: a code from the app, or a backup code."""
    if not two_factor.is_enrolled(request.user):
        return redirect("merchant:two-factor-setup")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.verify(request, code=form.cleaned_data["code"])
        except CatalogError as error:
            form.add_error("code", str(error.detail))
        else:
            return redirect(_safe_next(request, reverse("merchant:start")))
    return render(
        request,
        "merchant/two_factor_verify.html",
        {"form": form, "next": _safe_next(request, ""), "backup_left": two_factor.backup_codes_left(request.user)},
        status=400 if form.errors else 200,
    )
