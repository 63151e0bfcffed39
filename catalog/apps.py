from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self):
        # The platform core's demo_data runs each app's demo command; the catalog adds its own.
        from crossborder.management.commands.demo_data import Command as DemoData

        if "demo_catalog" not in DemoData.APP_COMMANDS:
            DemoData.APP_COMMANDS.append("demo_catalog")

        from django.db.models.signals import post_delete, post_save

        from . import selectors
        from .models import Category

        post_save.connect(selectors.forget_category_trees, sender=Category, dispatch_uid="trees-saved")
        post_delete.connect(selectors.forget_category_trees, sender=Category, dispatch_uid="trees-deleted")
