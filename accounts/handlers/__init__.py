"""What accounts do when other parts act: sign-in joins the guest's cart and orders (the partner zone
joins the browsing history itself, partner_zone/handlers/recommendations.py), a verified e-mail
address joins the orders placed with it, and the checkout starts from a chosen saved address."""

from . import checkout, signin  # noqa: F401
