"""The ops dashboard under the admin (staff sign in there; the views check the permission)."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", admin.site.admin_view(views.dashboard), name="index"),
    path("<slug:key>.csv", admin.site.admin_view(views.chart_csv), name="csv"),
]
