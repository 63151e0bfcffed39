"""Payments' hooks (the Hook type: crossborder/hooks.py). Within payments too, a hook keeps the
payment service free of the shop that uses it."""

from crossborder.hooks import Hook

# money_secured(payment): a payment holds the money (authorised or captured) and has placed no order
# yet; the shop places the payment's order (payments/handlers/paying.py). Inline, but fired after the
# transaction that recorded the payment committed and outside any transaction, so a subscriber may
# call providers; its error reaches the caller (the webhook, the return page, the poll).
money_secured = Hook("payments.money_secured", runs=Hook.INLINE)

# order_sections(request, order, lines) -> list of snippets ({"template", "context"}, as in
# catalog.hooks), shown on the shopper's order page under its lines. Inline, in the request; each
# subscriber runs a fixed number of queries. After-sales shows the order's returns and its "Return or
# exchange" action (aftersales/handlers/pages.py) and the review links of the lines that arrived
# (aftersales/handlers/reviews.py).
order_sections = Hook("payments.order_sections", runs=Hook.INLINE)


def order_snippets(request, order, lines):
    return [
        snippet for answer in order_sections.fire(request=request, order=order, lines=lines) for snippet in answer or []
    ]


# payment_declined(payment): the provider declined a payment (it moved to DECLINED). Inline, in the
# transaction that records it: the shop writes the shopper's notification with it.
payment_declined = Hook("payments.payment_declined", runs=Hook.INLINE)
# payment_refunded(payment, amount, number): refund number `number` of `amount` (Decimal, in the
# payment's currency) was recorded. Inline, in the transaction that records it.
payment_refunded = Hook("payments.payment_refunded", runs=Hook.INLINE)
