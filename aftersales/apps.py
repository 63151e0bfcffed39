from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")

    def ready(self):
        # Partner message types and subscriptions to the earlier apps' hooks.
        from . import handlers  # noqa: F401
