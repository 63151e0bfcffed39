"""Guest orders placed before an account exists, and signed-in shoppers."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from payments.shop.services import checkout as checkouts
from tests.payments.shop_factories import CONTACT, cart_with, checkout_of, own_variant

from .helpers import PASSWORD


def guest_order(warehouse, *, email="li.wei@example.com", phone=CONTACT["phone"], **extra):
    """An order awaiting payment, placed by a guest (no account) with `email` and `phone`."""
    checkout = checkout_of(cart_with((own_variant(warehouse, stock=5), 1)), email=email, phone=phone, **extra)
    return checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))


def shopper(email="sam@example.com", *, first_name=""):
    """A shopper's account whose e-mail address is verified."""
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, first_name=first_name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user
