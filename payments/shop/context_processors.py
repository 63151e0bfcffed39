"""Template context every storefront page gets from the shop: the header's cart count, counted
only when a page shows it (one small query; none on pages without the header)."""

from django.utils.functional import cached_property

from . import selectors
from .views import CART_KEY


class HeaderCart:
    """The shopper's cart as the header shows it: `count` is read on first use."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def count(self):
        user = getattr(self.request, "user", None)
        session = getattr(self.request, "session", None)
        session_key = session.get(CART_KEY, "") if session is not None else ""
        return selectors.cart_item_count(user=user, session_key=session_key)


def cart(request):
    return {"header_cart": HeaderCart(request)}
