"""The shop: cart, checkout with its locked quote, orders and their customs data, China's
cross-border rules, cancelling, the shop API, and the orders partners forward to us."""
