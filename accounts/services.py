"""Shopper accounts' rules, one transaction each (docs/adr/0024): the phone number of an account,
guest orders joining it once what they were placed with is verified, saved addresses, the export of
everything held about a shopper, and deleting the account."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aftersales.returns.services import erasure
from crossborder.errors import DomainError
from payments.shop.services import shoppers

from . import phones
from .errors import AccountErrorCode as Code
from .models import Profile, SavedAddress

MAX_SAVED_ADDRESSES = 20


def profile_of(user):
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def user_by_phone(phone):
    profile = Profile.objects.select_related("user").filter(phone=phone).first()
    return profile.user if profile else None


@transaction.atomic
def set_phone(user, phone, *, verified):
    """`user`'s phone number is `phone` (E.164), verified or not. A number another account holds is
    refused (one account per number)."""
    phone = phones.normalise(phone)
    if Profile.objects.filter(phone=phone).exclude(user=user).exists():
        raise DomainError(Code.PHONE_IN_USE, _("Another account uses this phone number."), field="phone")
    profile = profile_of(user)
    profile.phone, profile.phone_verified = phone, verified
    try:
        with transaction.atomic():
            profile.save(update_fields=["phone", "phone_verified"])
    except IntegrityError:
        raise DomainError(Code.PHONE_IN_USE, _("Another account uses this phone number."), field="phone")
    if verified:
        claim_orders(user)


@transaction.atomic
def set_phone_verified(user, phone):
    profile = profile_of(user)
    if profile.phone == phone:
        profile.phone_verified = True
        profile.save(update_fields=["phone_verified"])
        claim_orders(user)


def claim_orders(user):
    """Guest orders placed with one of `user`'s verified e-mail addresses or their verified phone
    number join the account. Nothing joins by an unverified address or number."""
    joined = 0
    for address in EmailAddress.objects.filter(user=user, verified=True):
        joined += shoppers.claim_guest_orders(user=user, email=address.email)
    profile = Profile.objects.filter(user=user, phone_verified=True).exclude(phone=None).first()
    if profile:
        joined += shoppers.claim_guest_orders(user=user, phone=phones.parts(profile.phone))
    return joined


@transaction.atomic
def update_details(user, *, first_name, last_name, language=""):
    user.first_name, user.last_name = first_name.strip()[:150], last_name.strip()[:150]
    user.save(update_fields=["first_name", "last_name"])
    if language:
        profile = profile_of(user)
        profile.language = language
        profile.save(update_fields=["language"])


# --- saved addresses -------------------------------------------------------------------------------


def address_form_values(fields):
    """A saved address as the checkout form's values: every field as it was, the address lines as the
    form's one multi-line "address" field."""
    values = {key: value for key, value in fields.items() if key != "address_lines" and isinstance(value, str)}
    if "address_lines" in fields:
        values["address"] = "\n".join(fields.get("address_lines") or [])
    return values


@transaction.atomic
def save_address(user, fields, *, label=""):
    """Keep `fields` (an address as the checkout cleaned it, e.g. an order's recipient) for `user`.
    The same address saved twice is kept once."""
    if not isinstance(fields, dict) or not fields.get("address_lines") and not fields.get("city"):
        raise DomainError(Code.INVALID_ADDRESS, _("This order has no address to save."), field="address")
    existing = SavedAddress.objects.filter(user=user, fields=fields).first()
    if existing:
        if label.strip() and not existing.label:
            existing.label = label.strip()[:60]
            existing.save(update_fields=["label"])
        return existing
    if SavedAddress.objects.filter(user=user).count() >= MAX_SAVED_ADDRESSES:
        raise DomainError(
            Code.TOO_MANY_ADDRESSES,
            _("You can keep up to %(n)d addresses; delete one first.") % {"n": MAX_SAVED_ADDRESSES},
            field="address",
        )
    return SavedAddress.objects.create(user=user, fields=fields, label=label.strip()[:60])


@transaction.atomic
def update_address(user, address_id, fields, *, label=""):
    """Replace saved address `address_id` of `user` by `fields` (as the checkout's address form
    cleaned them) and `label`."""
    if not isinstance(fields, dict) or not fields.get("address_lines") and not fields.get("city"):
        raise DomainError(Code.INVALID_ADDRESS, _("An address needs its street and city."), field="address")
    address = SavedAddress.objects.select_for_update().filter(user=user, pk=address_id).first()
    if address is None:
        raise DomainError(Code.UNKNOWN_ADDRESS, _("You have no saved address with this number."), status=404)
    address.fields, address.label = fields, label.strip()[:60]
    address.save(update_fields=["fields", "label"])
    return address


def own_address(user, address_id):
    address = SavedAddress.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise DomainError(Code.UNKNOWN_ADDRESS, _("You have no saved address with this number."), status=404)
    return address


@transaction.atomic
def delete_address(user, address_id):
    own_address(user, address_id).delete()


# --- the shopper's data ------------------------------------------------------------------------------


@transaction.atomic
def delete_account(user, *, confirmation, expected):
    """Delete the account: personal data erased (addresses, e-mails, phone, browsing history), orders kept for
    the accounts without the person (payments' erase_shopper). `confirmation` must equal `expected`
    (the word the page asks the shopper to type). Returns the ids of the orders kept."""
    if confirmation.strip().casefold() != str(expected).casefold():
        raise DomainError(
            Code.CONFIRMATION_MISMATCH,
            _("Type %(word)s to confirm that the account is to be deleted.") % {"word": expected},
            field="confirmation",
        )
    kept = shoppers.erase_shopper(user)
    erasure.erase_shopper_aftersales(kept)
    get_user_model().objects.filter(pk=user.pk).delete()  # profile, addresses, e-mail addresses go with it
    return kept
