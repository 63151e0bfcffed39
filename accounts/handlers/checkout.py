"""The checkout and a signed-in shopper's saved addresses: the checkout form starts from the address
chosen on the checkout page (`?address=<id>`, a GET form that works without JavaScript) or with
"Use at checkout" in My account, offers the saved ones above the form, and saves the checkout's
address to the account when the shopper ticks the box."""

import logging

from django.contrib import messages
from django.utils.translation import gettext as _

from crossborder.errors import DomainError
from payments import hooks as payments_hooks

from .. import selectors, services
from .signin import CHECKOUT_ADDRESS_KEY

log = logging.getLogger(__name__)

SAVE_FIELD = "save_address"
CHOICE_PARAMETER = "address"


def _shopper(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _chosen_id(request):
    """The saved address chosen on the checkout page (the GET parameter), else in My account."""
    raw = request.GET.get(CHOICE_PARAMETER, "") if request.method == "GET" else ""
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return request.session.get(CHECKOUT_ADDRESS_KEY) if hasattr(request, "session") else None


def checkout_prefill(request):
    """The checkout form's values for a signed-in shopper: their e-mail address, and the chosen saved
    address (another shopper's number fills nothing)."""
    user = _shopper(request)
    if user is None:
        return None
    values = {"email": user.email} if user.email else {}
    address_id = _chosen_id(request)
    address = user.saved_addresses.filter(pk=address_id).first() if address_id else None
    if address:
        values.update(services.address_form_values(address.fields))
    return values or None


def checkout_address_sections(request):
    user = _shopper(request)
    if user is None:
        return []
    addresses = selectors.addresses_of(user)
    chosen = _chosen_id(request)
    snippets = [{"template": "accounts/_checkout_save_address.html", "context": {"field": SAVE_FIELD}, "place": "in"}]
    if addresses:
        snippets.insert(
            0,
            {
                "template": "accounts/_checkout_saved_addresses.html",
                "context": {"addresses": addresses, "chosen": chosen, "parameter": CHOICE_PARAMETER},
                "place": "before",
            },
        )
    return snippets


def save_checkout_address(request, checkout):
    user = _shopper(request)
    if user is None or request.POST.get(SAVE_FIELD) != "1":
        return
    try:
        services.save_address(user, checkout.recipient)
    except DomainError as error:
        # Too many saved addresses: the checkout goes on; the shopper is told on the next page.
        messages.warning(request, _("The address was not saved: %(reason)s") % {"reason": error.detail})
    else:
        log.info("checkout %s: address saved to the account", checkout.reference)


payments_hooks.checkout_prefill.subscribe(checkout_prefill)
payments_hooks.checkout_address_sections.subscribe(checkout_address_sections)
payments_hooks.checkout_started.subscribe(save_checkout_address)
