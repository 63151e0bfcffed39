"""How much stock one shopper may hold without paying: held stock is gone from sale for the quote
and payment window, so one client cannot take a product off the shelves by ordering and never
paying. A client is known by any of its IP address, its account, the order's e-mail and its phone:
its unpaid holds are the open quotes and the orders awaiting payment that share any of them, still
inside their windows (paying, or the window ending, frees them). Both checkout paths (the
storefront's quote and the shop API's order) check the limits in their transaction, after taking
a per-client lock, so two requests of one client cannot both slip under them."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from crossborder.db import lock_keys
from crossborder.errors import DomainError

from ...errors import CheckoutErrorCode as Code
from ..models import Checkout, CheckoutLine, Order


def limits():
    return settings.SHOP_LIMITS


@dataclass(frozen=True)
class Shopper:
    """Who is checking out, by everything that identifies them; empty parts match nothing."""

    ip: str | None = None
    user_id: int | None = None
    email: str = ""
    phone: str = ""

    @classmethod
    def of(cls, *, ip=None, user=None, email="", phone=""):
        user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
        return cls(ip=ip or None, user_id=user_id, email=(email or "").strip().lower(), phone=(phone or "").strip())

    def keys(self):
        parts = {"ip": self.ip, "user": self.user_id, "email": self.email, "phone": self.phone}
        return [f"unpaid-holds:{name}:{value}" for name, value in parts.items() if value]

    def matches(self, prefix=""):
        """A Q over Checkout fields (through `prefix`) matching any of this shopper's identities."""
        query = Q(pk__in=[])
        if self.ip:
            query |= Q(**{f"{prefix}client_ip": self.ip})
        if self.user_id:
            query |= Q(**{f"{prefix}user_id": self.user_id})
        if self.email:
            query |= Q(**{f"{prefix}email__iexact": self.email})
        if self.phone:
            query |= Q(**{f"{prefix}recipient__phone": self.phone})
        return query


def unpaid_lines(shopper, *, now):
    """(checkout id, partnership id, sku, units) of the stock this shopper holds unpaid: the lines
    of open quotes still valid and of orders awaiting payment still inside their payment window.
    One query; each side is read from its small status-and-time index."""
    quotes = Checkout.objects.filter(shopper.matches(), status=Checkout.Status.OPEN, expires_at__gt=now)
    unpaid = Order.objects.filter(
        shopper.matches("checkout__"), status=Order.Status.AWAITING_PAYMENT, payment_due_at__gt=now
    )
    return CheckoutLine.objects.filter(
        Q(checkout_id__in=quotes.values("pk")) | Q(checkout_id__in=unpaid.values("checkout_id"))
    ).values_list("checkout_id", "partnership_id", "sku", "quantity")


def queue_shopper(shopper):
    """Serialize this shopper's checkouts (a lock per identity, held until commit), so that two at
    once cannot both pass the limits. Take it first in the checkout's transaction."""
    lock_keys(shopper.keys())


def check_unpaid_limits(shopper, quantities, *, now):
    """Refuse (429, naming the rule) a new hold that would give this shopper more unpaid orders
    than SHOP_LIMITS["MAX_UNPAID_ORDERS"], or more than SHOP_LIMITS["MAX_UNPAID_UNITS_PER_SKU"]
    units of one SKU held unpaid. `quantities`: [(partnership id or None, sku, title, units)] of
    the new checkout. Call inside the checkout's transaction, after queue_shopper, before it holds
    anything."""
    held, units = set(), Counter()
    for checkout_id, partnership_id, sku, units_held in unpaid_lines(shopper, now=now):
        held.add(checkout_id)
        units[partnership_id, sku] += units_held
    max_orders = limits()["MAX_UNPAID_ORDERS"]
    if len(held) + 1 > max_orders:
        raise DomainError(
            Code.TOO_MANY_UNPAID_ORDERS,
            _(
                "You already have %(count)d unpaid orders: at most %(max)d may wait for payment at once. "
                "Pay for one, or wait for it to lapse, then order again."
            )
            % {"count": len(held), "max": max_orders},
            field=None,
            status=429,
        )
    max_units = limits()["MAX_UNPAID_UNITS_PER_SKU"]
    for partnership_id, sku, title, quantity in quantities:
        units[partnership_id, sku] += quantity
        if units[partnership_id, sku] > max_units:
            raise DomainError(
                Code.TOO_MANY_UNPAID_UNITS,
                _(
                    "At most %(max)d units of %(title)s may be held unpaid by one shopper; with this order "
                    "you would hold %(count)d. Pay for your earlier orders or lower the quantity."
                )
                % {"max": max_units, "title": title, "count": units[partnership_id, sku]},
                field="lines",
                status=429,
            )
