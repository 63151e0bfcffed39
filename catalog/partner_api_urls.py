"""The catalog's partner API endpoints, included under /partner-api/v1/."""

from django.urls import path

from . import partner_api

urlpatterns = [
    path("catalog/", partner_api.CatalogFeedView.as_view(), name="catalog-feed"),
]
