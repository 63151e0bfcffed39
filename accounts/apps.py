from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Shopper accounts")

    def ready(self):
        # Sign-in joins the guest's cart, history and orders; checkout reads a saved address.
        from . import handlers  # noqa: F401
