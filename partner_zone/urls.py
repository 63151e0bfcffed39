"""The partner zone's storefront URLs (under the language prefix, mounted at zone/): one zone per
partner, by the partner's code."""

from django.urls import path

from . import views, views_history

app_name = "partner_zone"

urlpatterns = [
    path("history/clear/", views_history.clear_history, name="clear_history"),
    path("<code:partner>/", views.landing, name="landing"),
    path("<code:partner>/c/<int:category_id>/", views.category, name="category"),
    path("<code:partner>/search/", views.search_page, name="search"),
    path("<code:partner>/p/<uuid:reference>/", views.product, name="product"),
]
