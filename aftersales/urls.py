"""After-sales pages for shoppers: open a return from an order, follow it and write on it (by token)."""

from django.urls import path

from . import views

app_name = "aftersales"

urlpatterns = [
    path("order/<token:token>/", views.new_return, name="new_return"),
    path("<token:token>/", views.return_page, name="return"),
    path("<token:token>/messages/", views.write_message, name="write_message"),
]
