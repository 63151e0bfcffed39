from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self):
        # Logistics' partner message types register themselves with the platform core.
        from crossborder.management.commands.demo_data import Command as DemoData

        from . import handlers  # noqa: F401

        # The platform core's demo_data runs each app's demo command; logistics adds its own.
        if "demo_logistics" not in DemoData.APP_COMMANDS:
            DemoData.APP_COMMANDS.append("demo_logistics")
