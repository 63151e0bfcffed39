"""URLs of the payments providers area: the shopper's payment page (QR code or redirect, polling),
the return from a provider, and the sandbox providers' own approval pages. The sandbox pages are
routed only while a sandbox provider is configured (never in production, unless a staging
deployment asks for the sandboxes), so nobody can approve a charge of their own there."""

from django.urls import path

from . import views as sandbox_views
from .registry import sandbox_provider_codes

urlpatterns = [
    path("pay/<token:token>/", sandbox_views.payment_page, name="payment"),
    path("pay/<token:token>/status/", sandbox_views.payment_status, name="payment-status"),
    path("pay/<token:token>/return/", sandbox_views.payment_return, name="payment-return"),
]

if sandbox_provider_codes():
    urlpatterns[:0] = [
        path("pay/sandbox/wallet/<token:charge_id>/", sandbox_views.sandbox_wallet, name="sandbox-wallet"),
        path("pay/sandbox/card/<token:charge_id>/", sandbox_views.sandbox_card, name="sandbox-card"),
    ]
