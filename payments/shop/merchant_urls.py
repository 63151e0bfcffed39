"""The merchant area's orders (under /merchant/orders/, the merchant's login): the list of the lines
of its goods, one line, and the pick, pack and ship of a line it ships itself."""

from django.urls import path

from . import merchant_views

urlpatterns = [
    path("", merchant_views.order_lines, name="merchant-orders"),
    path("<code:where>/<int:line_id>/", merchant_views.order_line, name="merchant-order-line"),
    path("<code:where>/<int:line_id>/<code:step>/", merchant_views.fulfil, name="merchant-fulfil"),
]
