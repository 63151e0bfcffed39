"""Warehouse staff pages of logistics (mounted at logistics/ under the language prefix)."""

from django.urls import path

from . import views

app_name = "logistics"

urlpatterns = [
    path("consignments/", views.consignment_list, name="consignments"),
    path("consignments/<int:pk>/", views.consignment_detail, name="consignment"),
    path("consignments/<int:pk>/notice/", views.send_notice, name="send-notice"),
    path("consignments/<int:pk>/receive/", views.receive, name="receive"),
    path("consignments/<int:pk>/complete/", views.complete_receipt, name="complete-receipt"),
]
