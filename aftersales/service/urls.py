"""URLs of the service pages: the provider's (by its signed link), the shopper's ticket (by its
token), and the shopper's request for a repair or maintenance of a delivered order."""

from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    path("provider/<signed:token>/", views.provider_home, name="provider_home"),
    path("provider/<signed:token>/tickets/<uuid:reference>/", views.provider_ticket, name="provider_ticket"),
    path("tickets/<token:token>/", views.ticket, name="ticket"),
    path("orders/<token:order_token>/request/", views.request_service, name="request"),
]
