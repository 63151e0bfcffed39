"""After-sales on the shop's order page (payments never imports after-sales): the order's returns
and the "Return or exchange" action for its delivered lines."""

from payments import hooks

from .. import selectors, views

hooks.order_sections.subscribe(views.order_returns_section)
# The merchant's orders page: the returns of its goods and their dispositions, and its "with returns"
# filter (payments.hooks.merchant_line_returns, merchant_returned_lines).
hooks.merchant_line_returns.subscribe(selectors.merchant_line_returns)
hooks.merchant_returned_lines.subscribe(selectors.merchant_returned_lines)
