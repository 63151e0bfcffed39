from django.apps import AppConfig
from django.core.management import call_command
from django.utils.translation import gettext_lazy as _


def fill_demo_data():
    """crossborder.hooks.demo_data: the demo warehouse and express rates."""
    call_command("demo_logistics")


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self):
        # Logistics' partner message types register themselves with the platform core.
        # The platform core's demo_data runs each app's demo command; logistics adds its own,
        # before the catalog's: the demo's stock is counted in the demo warehouse.
        from catalog.apps import fill_demo_data as fill_demo_catalog
        from crossborder import hooks

        from . import handlers  # noqa: F401

        hooks.demo_data.subscribe(fill_demo_data, before=fill_demo_catalog)
