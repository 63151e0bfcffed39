"""The shop's part of the home catalog's product page, subscribed to catalog.hooks at start-up
(the catalog never imports payments): the "Add to cart" form under the product, and the offers of
our returned units resold at their grade."""

from catalog import hooks

from ..shop import views

hooks.product_sections.subscribe(views.add_to_cart_section)
hooks.product_sections.subscribe(views.graded_offers_section)
