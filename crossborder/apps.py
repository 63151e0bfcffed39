from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrossborderConfig(AppConfig):
    name = "crossborder"
    verbose_name = _("Platform and partners")

    def ready(self):
        # The core message handlers (partnership lifecycle, keys, notices) register themselves.
        from . import checks, converters, handlers, schema  # noqa: F401

        # Before any URL module is read: `token` and `code` path segments.
        converters.register()
