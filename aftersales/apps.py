from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")

    def ready(self):
        # Subscriptions to earlier apps' hooks (payments: checkout extras, paid orders, order page).
        from . import handlers  # noqa: F401
