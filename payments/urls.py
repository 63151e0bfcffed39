"""Payments' pages: the shop (cart, checkout, orders) and the payment providers' return and webhook
endpoints, each area in its own URL module."""

from django.urls import include, path

app_name = "payments"

urlpatterns = [
    path("", include("payments.shop.urls")),
    path("", include("payments.providers.urls")),
    path("merchant/orders/", include("payments.shop.merchant_urls")),
    path("merchant/money/", include("payments.merchants.urls")),
]
