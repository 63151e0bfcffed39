from django.apps import AppConfig
from django.core.management import call_command
from django.utils.translation import gettext_lazy as _


def fill_demo_data():
    """crossborder.hooks.demo_data: the demo catalog."""
    call_command("demo_catalog")


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        # The platform core's demo_data runs each app's demo command; the catalog adds its own.
        from crossborder import hooks

        hooks.demo_data.subscribe(fill_demo_data)

        from django.db.models.signals import post_delete, post_save

        from . import selectors
        from .models import Category

        post_save.connect(selectors.forget_category_trees, sender=Category, dispatch_uid="trees-saved")
        post_delete.connect(selectors.forget_category_trees, sender=Category, dispatch_uid="trees-deleted")
