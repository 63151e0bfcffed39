"""An order in one call: the shop API's checkout for apps and headless storefronts. The same rules
as the storefront's three steps (cart, locked quote, placed order), in one transaction: either the
order exists, with its stock held, or nothing was written."""

from django.db import transaction

from crossborder.errors import DomainError

from . import cart as carts
from . import checkout as checkouts


def _in_item(error, index):
    """The cart's errors name `sku`, `listing` or `quantity`; here they name the item too."""
    field = f"items[{index}].{error.field}" if error.field else f"items[{index}]"
    return DomainError(error.code, error.detail, field=field, status=error.status)


def order_now(
    *, items, recipient, email, expected_total, phone="", buyer_name="", buyer_id_number="", user=None, language=None
):
    """`items`: [{"sku": ..., "quantity": n}] for our goods, [{"listing": id, "sku": ..., "quantity": n}]
    for a partner's. `expected_total` is the total the client showed the shopper: an order is
    placed only for exactly that amount."""
    if not items:
        raise DomainError("empty_cart", "An order needs at least one item.", field="items")
    with transaction.atomic():
        session_key = carts.new_session_key()
        for index, item in enumerate(items):
            try:
                carts.add_to_cart(
                    quantity=item.get("quantity", 1),
                    session_key=session_key,
                    sku=item.get("sku", ""),
                    listing_id=item.get("listing"),
                )
            except DomainError as error:
                raise _in_item(error, index) from None
        cart = carts.find_cart(session_key=session_key)
        started = checkouts.start_checkout(
            cart=cart,
            recipient=recipient,
            email=email,
            phone=phone,
            buyer_name=buyer_name,
            buyer_id_number=buyer_id_number,
            user=user,
            language=language,
        )
        try:
            return checkouts.place_order(checkout=started, posted_total=expected_total)
        except DomainError as error:
            field = "expected_total" if error.field == "total" else error.field
            raise DomainError(error.code, error.detail, field=field, status=error.status) from None
