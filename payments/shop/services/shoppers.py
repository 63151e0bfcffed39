"""A shopper's account and the shop's records of them (accounts/ calls these; docs/adr/0024):
guest orders joining the account once the e-mail or phone they were placed with is verified, and
the erasure of a shopper's personal data when they delete their account (orders are kept for the
accounts, without the person)."""

import re

from django.db import transaction

from ..models import Cart, Checkout, Order

ERASED_EMAIL = "erased@erased.invalid"
BUYER_FIELDS = ["user", "email", "buyer_name", "buyer_id_number", "recipient"]


def _forget_buyer(row):
    """An order or checkout loses its account and the person: only the recipient's country stays."""
    row.user = None
    row.email = ERASED_EMAIL
    row.buyer_name = ""
    row.buyer_id_number = ""
    row.recipient = {"country": row.recipient.get("country", "")}


def _phone_pattern(country_code, national):
    """A regular expression for a phone number as shoppers typed it at checkout: the national digits
    with any spaces or dashes, with or without the +country code or a trunk 0 before them."""
    digits = r"[ \-]*".join(re.escape(d) for d in national)
    code = r"[ \-]*".join(re.escape(d) for d in country_code)
    return rf"^[ ]*(\+?[ ]*{code}|0)?[ \-]*{digits}[ ]*$"


@transaction.atomic
def claim_guest_orders(*, user, email="", phone=None):
    """Guest orders (no account) placed with `email` (any case) or with the phone `phone` (a pair
    (country calling code, national digits)) become `user`'s. The caller vouches that the address
    or number is verified as `user`'s. Returns how many joined."""
    joined = 0
    if email:
        joined += Order.objects.filter(user__isnull=True, email__iexact=email.strip()).update(user=user)
    if phone:
        joined += Order.objects.filter(user__isnull=True, recipient__phone__regex=_phone_pattern(*phone)).update(
            user=user
        )
    return joined


@transaction.atomic
def erase_shopper(user):
    """Before an account is deleted: its orders and checkouts lose the person (name, e-mail, address,
    phone, resident ID) and the account; amounts, lines and status stay for the accounts. Carts are
    deleted. Returns the ids of the orders kept."""
    numbers = []  # the kept orders' ids
    for order in Order.objects.select_for_update().filter(user=user):
        _forget_buyer(order)
        order.save(update_fields=[*BUYER_FIELDS, "buyer_id_index"])
        numbers.append(order.pk)
    for checkout in Checkout.objects.select_for_update().filter(user=user):
        _forget_buyer(checkout)
        checkout.client_ip = None
        checkout.save(update_fields=[*BUYER_FIELDS, "client_ip"])
    Cart.objects.filter(user=user).delete()  # its lines go with it; checkouts keep their totals
    return numbers
