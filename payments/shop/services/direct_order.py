"""An order in one call: the shop API's checkout for apps and headless storefronts. The same rules
as the storefront's three steps (cart, locked quote, placed order), in one transaction and without
storing a cart: either the order exists, with its stock held, or nothing was written."""

from crossborder.errors import DomainError

from . import cart as carts
from . import checkout as checkouts


def order_now(
    *,
    items,
    recipient,
    email,
    expected_total,
    phone="",
    buyer_name="",
    buyer_id_number="",
    user=None,
    client_ip=None,
    language=None,
):
    """`items`: [{"sku": ..., "quantity": n}] for our goods, [{"listing": id, "sku": ..., "quantity": n}]
    for a partner's. `expected_total` is the total the client showed the shopper: an order is
    placed only for exactly that amount. The payment is not opened here (paying.py does it when
    the shopper goes to pay)."""
    if not items:
        raise DomainError("empty_cart", "An order needs at least one item.", field="items")
    lines = carts.unsaved_lines(items)
    try:
        return checkouts.place_order_now(
            lines=lines,
            recipient=recipient,
            email=email,
            phone=phone,
            buyer_name=buyer_name,
            buyer_id_number=buyer_id_number,
            posted_total=expected_total,
            user=user,
            client_ip=client_ip,
            language=language,
        )
    except DomainError as error:
        if error.field != "total":
            raise
        raise DomainError(error.code, error.detail, field="expected_total", status=error.status) from None
