"""URLs of the payments shop area: cart, checkout and its quote, the shopper's orders (by token)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", views.cart_line, name="cart_line"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/<uuid:reference>/", views.quote, name="quote"),
    path("checkout/<uuid:reference>/place/", views.place, name="place"),
    path("orders/", views.orders, name="orders"),
    path("orders/<token:token>/", views.order, name="order"),
    path("orders/<token:token>/pay/", views.pay, name="pay"),
    path("orders/<token:token>/cancel/", views.cancel, name="cancel"),
]
