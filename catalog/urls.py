"""Storefront URLs (under the language prefix). Other apps link to these names."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<int:category_id>/", views.category, name="category"),
    path("p/<uuid:reference>/", views.product, name="product"),
    path("search/", views.search_page, name="search"),
]
