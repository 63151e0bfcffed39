"""Sign-in and verification (django-allauth's signals and Django's user_logged_in): the guest's
cart joins the account's, and guest orders join once what they were placed with is verified."""

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from payments.shop import views as shop_views

from .. import services

CHECKOUT_ADDRESS_KEY = "accounts_checkout_address"


@receiver(user_logged_in, dispatch_uid="accounts.join_guest_at_login")
def join_guest_at_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session") or not hasattr(request, "user"):
        return
    # The cart this browser filled as a guest (its key survives the session's rotation at login).
    shop_views.shopper(request)
    # Orders placed as a guest with the account's verified e-mail addresses or phone number.
    services.claim_orders(user)


@receiver(email_confirmed, dispatch_uid="accounts.claim_orders_of_confirmed_address")
def claim_orders_of_confirmed_address(sender, request, email_address, **kwargs):
    services.claim_orders(email_address.user)
