"""Storefront URLs (under the language prefix)."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
]
