"""The shopper's "My account" pages, under the storefront's language prefixes (/account/, /en/account/);
django-allauth's sign-up, sign-in and verification pages share the prefix (crossborder/urls.py)."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:number>/", views.order, name="order"),
    path("orders/<int:number>/save-address/", views.save_order_address, name="save_order_address"),
    path("returns/", views.aftersales, name="aftersales"),
    path("addresses/", views.addresses, name="addresses"),
    path("addresses/new/", views.add_address, name="add_address"),
    path("addresses/<int:address_id>/edit/", views.edit_address, name="edit_address"),
    path("addresses/<int:address_id>/use/", views.use_address, name="use_address"),
    path("addresses/<int:address_id>/delete/", views.delete_address, name="delete_address"),
    path("reviews/", views.reviews, name="reviews"),
    path("details/", views.details, name="details"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/history/clear/", views.clear_history, name="clear_history"),
    path("privacy/export/", views.export, name="export"),
    path("privacy/delete/", views.delete, name="delete"),
]
