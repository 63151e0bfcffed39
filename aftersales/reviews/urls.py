"""The shopper's review pages: writing one for a delivered line of an order (by the order's token),
and one review's page (by its own token), where its author may still change it."""

from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("write/<token:order_token>/<int:line_number>/", views.write, name="write"),
    path("<token:token>/", views.review_page, name="review"),
]
