"""URLs of the payments providers area: the shopper's payment page (QR code or redirect, polling),
the return from a provider, and the sandbox providers' own approval pages."""

from django.urls import path

from . import sandbox_views

urlpatterns = [
    path("pay/sandbox/wallet/<token:charge_id>/", sandbox_views.sandbox_wallet, name="sandbox-wallet"),
    path("pay/sandbox/card/<token:charge_id>/", sandbox_views.sandbox_card, name="sandbox-card"),
    path("pay/<token:token>/", sandbox_views.payment_page, name="payment"),
    path("pay/<token:token>/status/", sandbox_views.payment_status, name="payment-status"),
    path("pay/<token:token>/return/", sandbox_views.payment_return, name="payment-return"),
]
