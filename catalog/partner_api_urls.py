"""The catalog's partner API endpoints, included under /partner-api/v1/."""

urlpatterns = []
