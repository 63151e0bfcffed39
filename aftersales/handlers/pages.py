"""After-sales on the shop's order page (payments never imports after-sales): the order's returns
and the "Return or exchange" action for its delivered lines."""

from payments import hooks

from .. import views

hooks.order_sections.subscribe(views.order_returns_section)
