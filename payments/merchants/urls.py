"""The merchant area's money page (under /merchant/money/, the merchant's login)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.money_page, name="merchant-money"),
    path("bank/", views.bank_details, name="merchant-bank-details"),
]
