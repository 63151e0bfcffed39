"""One read-only admin base (crossborder.admin_base) for every app: the admin pages of models that
only services write, or that are records, add, change and delete nothing, and no app keeps a copy
of the base of its own."""

import ast
import pathlib

import pytest
from django.contrib import admin
from django.test import RequestFactory

from crossborder.admin_base import ReadOnlyAdmin, ReadOnlyInline, ReadOnlyMixin

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["crossborder", "catalog", "logistics", "partner_zone", "payments", "aftersales"]
# The admins that were read only before the base existed, by model label.
READ_ONLY = [
    "crossborder.PlatformIdentity",
    "crossborder.SigningKey",
    "catalog.Product",
    "catalog.ExportOffer",
    "catalog.Category",
    "logistics.AgedStockAction",
    "logistics.StorageFeeAccrual",
    "logistics.Shipment",
    "logistics.Reservation",
    "logistics.HandoffReport",
    "logistics.StockMovement",
    "partner_zone.SyncRun",
    "partner_zone.PartnerListing",
    "partner_zone.Markdown",
    "payments.Account",
    "payments.LedgerTransaction",
    "payments.Order",
    "payments.CustomsDeclaration",
]


@pytest.mark.django_db
@pytest.mark.parametrize("label", READ_ONLY)
def test_a_read_only_admin_refuses_add_change_and_delete_even_to_a_superuser(label, admin_user):
    from django.apps import apps

    model_admin = admin.site._registry[apps.get_model(label)]
    request = RequestFactory().get("/admin/")
    request.user = admin_user

    assert isinstance(model_admin, ReadOnlyMixin)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
    if type(model_admin).has_change_permission is ReadOnlyAdmin.has_change_permission:
        assert not model_admin.has_change_permission(request)  # (orders: changed by their actions only)


def test_read_only_inlines_of_the_admins_use_the_shared_base():
    inlines = [
        inline
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if issubclass(inline, ReadOnlyInline)
    ]

    assert len(inlines) >= 8  # catalog's, logistics', the ledger's and the payments'


def test_no_app_defines_its_own_read_only_base():
    """A class that only denies add, change and delete is the shared base's job."""
    copies = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "admin_base.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.ClassDef):
                    continue
                methods = {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
                denies = {"has_add_permission", "has_change_permission"} <= methods
                if denies and methods <= {"has_add_permission", "has_change_permission", "has_delete_permission"}:
                    copies.append(f"{path.relative_to(ROOT)}:{node.name}")

    assert copies == []
