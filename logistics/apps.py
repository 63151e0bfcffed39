from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self):
        # Logistics' partner message types register themselves with the platform core.
        from crossborder.management.commands.demo_data import Command as DemoData

        from . import handlers  # noqa: F401

        # The platform core's demo_data runs each app's demo command; logistics adds its own,
        # before the catalog's: the demo's stock is counted in the demo warehouse.
        if "demo_logistics" not in DemoData.APP_COMMANDS:
            commands = DemoData.APP_COMMANDS
            first = commands.index("demo_catalog") if "demo_catalog" in commands else len(commands)
            commands.insert(first, "demo_logistics")
