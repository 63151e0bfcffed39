"""The merchant area's forwarded-order lines (under /merchant/orders/, the merchant's login)."""

from django.urls import path

from . import merchant_views

urlpatterns = [
    path("", merchant_views.forwarded_lines, name="merchant-orders"),
    path("<int:line_id>/ship/", merchant_views.ship_line, name="merchant-ship"),
]
