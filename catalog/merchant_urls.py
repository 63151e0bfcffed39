"""Merchant area URLs (under the language prefix, /merchant/)."""

app_name = "merchant"

urlpatterns = []
