"""The shop API (/api/shop/v1/): orders in one request, for apps and headless storefronts."""

from django.urls import path

from . import api

app_name = "shop_api"

urlpatterns = [
    path("orders/", api.OrdersView.as_view(), name="orders"),
    path("orders/<token:token>/", api.OrderView.as_view(), name="order"),
    path("orders/<token:token>/cancel/", api.OrderCancelView.as_view(), name="cancel"),
]
