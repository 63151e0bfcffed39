"""Service tickets' subscriptions to payments' hooks: checkout prices installation, a paid order
opens its tickets, a cancelled one calls them off, and the order page shows them."""

from payments import hooks

from ..service import views
from ..service.services import offers, tickets

hooks.checkout_extras.subscribe(offers.price_checkout_extras)
hooks.extras_paid.subscribe(tickets.open_checkout_tickets)
hooks.paid_order_cancelled.subscribe(tickets.cancel_order_tickets)
hooks.order_sections.subscribe(views.order_section)
