"""A merchant's team: invitations by one-time e-mail link, roles, and the rule that a merchant keeps
at least one owner. Every change is one transaction; a refusal raises CatalogError naming the field
and writes nothing.

Roles (catalog.models.MerchantRole): the owner may do everything and manages the team; `catalog`
edits products, imports and the shop's names; `fulfilment` ships orders; `finance` reads the money
pages. Owners and finance sign in with a second factor (catalog/two_factor.py)."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crossborder.notifications import notify

from .errors import CatalogErrorCode as Code
from .models import MerchantInvitation, MerchantMembership, MerchantRole
from .services import CatalogError

ROLES = tuple(MerchantRole.values)
TWO_FACTOR_ROLES = (MerchantRole.OWNER, MerchantRole.FINANCE)


def role_label(role):
    return str(MerchantRole(role).label)


def check_role(role):
    """`role` if it is one of the roles, else CatalogError naming it."""
    if role not in ROLES:
        raise CatalogError(
            Code.UNKNOWN_ROLE,
            _("“%(role)s” is not a role; choose one of: %(roles)s.") % {"role": role, "roles": ", ".join(ROLES)},
            field="role",
        )
    return role


def _clean_email(email):
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise CatalogError(Code.INVALID, _("Enter a valid e-mail address."), field="email") from None
    return email.lower()


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token, language=None):
    with translation.override(language or settings.LANGUAGE_CODE):
        return settings.PLATFORM_BASE_URL + reverse("merchant:invitation", args=[token])


@transaction.atomic
def invite(*, merchant, email, role, invited_by=""):
    """Invite `email` to `merchant`'s team in `role` and send the one-time link (after commit, by
    the notifications path). Returns the invitation; the link's token is only in the e-mail."""
    check_role(role)
    email = _clean_email(email)
    if not merchant.is_active:
        raise CatalogError(Code.INVALID, _("This merchant is not active."), field="merchant")
    if MerchantMembership.objects.filter(merchant=merchant, user__email__iexact=email).exists():
        raise CatalogError(
            Code.ALREADY_MEMBER, _("%(email)s is already in the team.") % {"email": email}, field="email"
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = MerchantInvitation.objects.create(
        merchant=merchant,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.MERCHANT_INVITATION_DAYS),
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    notify(
        key=f"merchant-invitation:{invitation.pk}",
        to=email,
        template="merchant_invitation",
        language=language,
        context={
            "platform": settings.PLATFORM_NAME,
            "merchant": merchant.name_in(language),
            "role": role_label(role),
            "url": invitation_url(token, language),
            "days": settings.MERCHANT_INVITATION_DAYS,
        },
    )
    return invitation


def open_invitation(token):
    """The invitation of this link while it can still be accepted, else CatalogError (unknown,
    used or expired)."""
    invitation = (
        MerchantInvitation.objects.select_related("merchant").filter(token_hash=_token_hash(token or "")).first()
    )
    if invitation is None:
        raise CatalogError(Code.INVITATION_UNKNOWN, _("This invitation link is not valid."), field="token")
    if invitation.accepted_at is not None:
        raise CatalogError(Code.INVITATION_USED, _("This invitation link has been used already."), field="token")
    if invitation.expires_at <= timezone.now():
        raise CatalogError(
            Code.INVITATION_EXPIRED,
            _("This invitation link has expired; ask for a new one."),
            field="token",
        )
    return invitation


@transaction.atomic
def accept_invitation(*, token, user=None, password=None):
    """Join the team through the link: as `user` (already signed in, with the invited address),
    or as a new login named by the invited address with `password`. Once only."""
    invitation = open_invitation(token)
    invitation = MerchantInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:  # accepted by a concurrent request since
        raise CatalogError(Code.INVITATION_USED, _("This invitation link has been used already."), field="token")
    User = get_user_model()
    if user is None:
        if User.objects.filter(username__iexact=invitation.email).exists():
            raise CatalogError(
                Code.INVALID,
                _("A login with this e-mail address exists: sign in first, then open the link again."),
                field="email",
            )
        candidate = User(username=invitation.email, email=invitation.email)
        try:
            validate_password(password or "", candidate)
        except ValidationError as error:
            raise CatalogError(Code.INVALID, " ".join(error.messages), field="password") from None
        candidate.set_password(password)
        candidate.save()
        user = candidate
    elif (user.email or "").lower() != invitation.email and user.get_username().lower() != invitation.email:
        raise CatalogError(
            Code.INVALID,
            _("This invitation is for %(email)s; sign in with that address.") % {"email": invitation.email},
            field="email",
        )
    membership, created = MerchantMembership.objects.get_or_create(
        merchant=invitation.merchant, user=user, defaults={"role": invitation.role}
    )
    if not created:
        raise CatalogError(Code.ALREADY_MEMBER, _("You are already in this team."), field="email")
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _locked_team(merchant):
    """The merchant's memberships, locked in key order, so two owners demoting each other at once
    cannot leave it with none."""
    return list(MerchantMembership.objects.select_for_update().filter(merchant=merchant).order_by("pk"))


def _member(team, member_id):
    found = next((m for m in team if m.pk == member_id), None)
    if found is None:
        raise CatalogError(Code.INVALID, _("This person is not in your team."), field="member")
    return found


def _keep_an_owner(team, leaving):
    owners = [m for m in team if m.role == MerchantRole.OWNER and m.pk != leaving.pk]
    if leaving.role == MerchantRole.OWNER and not owners:
        raise CatalogError(
            Code.LAST_OWNER,
            _("The last owner cannot be removed or given another role: make someone else owner first."),
            field="role",
        )


@transaction.atomic
def change_role(*, merchant, member_id, role):
    check_role(role)
    team = _locked_team(merchant)
    member = _member(team, member_id)
    if member.role == role:
        return member
    if role != MerchantRole.OWNER:
        _keep_an_owner(team, member)
    member.role = role
    member.save(update_fields=["role"])
    return member


@transaction.atomic
def remove_member(*, merchant, member_id):
    team = _locked_team(merchant)
    member = _member(team, member_id)
    _keep_an_owner(team, member)
    member.delete()


def team_of(merchant):
    return list(MerchantMembership.objects.filter(merchant=merchant).select_related("user").order_by("role", "pk"))


def pending_invitations(merchant):
    return list(
        MerchantInvitation.objects.filter(
            merchant=merchant, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("-created_at")
    )
