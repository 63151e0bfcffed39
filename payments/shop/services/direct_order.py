"""An order in one call: the shop API's checkout for apps and headless storefronts. The same rules
as the storefront's three steps (cart, locked quote, placed order), in one transaction and without
storing a cart: either the order exists, with its stock held, or nothing was written."""

from crossborder.errors import DomainError

from . import cart as carts
from . import checkout as checkouts


def order_now(*, items, buyer, expected_total, language=None):
    """`buyer`: a checkout.Buyer. `items`: [{"sku": ..., "quantity": n}] for our goods,
    [{"listing": id, "sku": ..., "quantity": n}] for a partner's. `expected_total` is the total the client showed the shopper: an order is
    placed only for exactly that amount. The payment is not opened here (paying.py does it when
    the shopper goes to pay)."""
    if not items:
        raise DomainError("empty_cart", "An order needs at least one item.", field="items")
    lines = carts.unsaved_lines(items)
    try:
        return checkouts.place_order_now(lines=lines, buyer=buyer, posted_total=expected_total, language=language)
    except DomainError as error:
        if error.field != "total":
            raise
        raise DomainError(error.code, error.detail, field="expected_total", status=error.status) from None
