"""Payments' hooks (the Hook type: crossborder/hooks.py). Within payments too, a hook keeps the
payment service free of the shop that uses it."""

from crossborder.hooks import Hook

# money_secured(payment): a payment holds the money (authorised or captured) and has placed no order
# yet; the shop places the payment's order (payments/handlers/paying.py). Inline, but fired after the
# transaction that recorded the payment committed and outside any transaction, so a subscriber may
# call providers; its error reaches the caller (the webhook, the return page, the poll).
money_secured = Hook("payments.money_secured", runs=Hook.INLINE)
# order_sections(request, order) -> list of snippets ({"template", "context"}) shown on the
# shopper's order page under its lines; after-sales adds the returns of the order and its "Return or
# exchange" action (aftersales/handlers/pages.py). Inline, in the request; a fixed number of queries.
order_sections = Hook("payments.order_sections", runs=Hook.INLINE)
