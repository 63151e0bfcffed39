"""Service tickets' subscriptions to payments' hooks: checkout prices installation, a paid order
opens its tickets, a cancelled one calls them off, and the order page shows them; and the demo's
providers."""

from django.core.management import call_command

from crossborder import hooks as core_hooks
from payments import hooks

from ..service import views
from ..service.services import offers, tickets

hooks.checkout_extras.subscribe(offers.price_checkout_extras)
hooks.extras_paid.subscribe(tickets.open_checkout_tickets)
hooks.paid_order_cancelled.subscribe(tickets.cancel_order_tickets)
hooks.order_sections.subscribe(views.order_section)
hooks.money_secured.subscribe(tickets.take_ticket_payment)


def fill_demo_data():
    """crossborder.hooks.demo_data: demo providers, and the demo car seats need installation."""
    call_command("demo_service")


core_hooks.demo_data.subscribe(fill_demo_data)
