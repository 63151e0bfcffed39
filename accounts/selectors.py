"""What a shopper's account pages read (the apps' own selectors do the querying)."""

from allauth.account.models import EmailAddress

from aftersales import selectors as aftersales_selectors
from aftersales.reviews import selectors as review_selectors
from aftersales.service import selectors as service_selectors
from payments.shop import selectors as shop_selectors
from payments.shop.models import Order

from .models import Profile, SavedAddress

RECENT_ORDERS = 20


def account_orders(user):
    """The shopper's orders, newest first (at most 100), the newest with their deliveries (tracking)."""
    orders = list(shop_selectors.shopper_orders(user=user).prefetch_related("lines"))
    for order in orders[:RECENT_ORDERS]:
        order.tracked_lines = shop_selectors.with_deliveries(list(order.lines.all()))
    return orders


def own_order(user, number):
    """The shopper's order `number` with its lines and deliveries, or None: another shopper's order is
    not found, exactly like one that does not exist."""
    found = Order.objects.filter(user=user, number=number).prefetch_related("lines").first()
    if found is None:
        return None
    found.tracked_lines = shop_selectors.with_deliveries(list(found.lines.all()))
    found.account_returns = aftersales_selectors.returns_of_order(found)
    found.account_tickets = service_selectors.order_tickets(found)
    found.returnable = aftersales_selectors.order_has_returnable_lines(found)
    return found


def aftersales_of(user):
    orders = Order.objects.filter(user=user)
    return aftersales_selectors.returns_of_orders(orders), service_selectors.tickets_of_orders(orders)


def reviews_of(user):
    return review_selectors.reviews_by_shopper(user)


def addresses_of(user):
    return list(SavedAddress.objects.filter(user=user))


def profile_of(user):
    return Profile.objects.filter(user=user).first()


def emails_of(user):
    return list(EmailAddress.objects.filter(user=user).order_by("-primary", "email"))
