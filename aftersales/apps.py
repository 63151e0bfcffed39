from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")

    def ready(self):
        # The partner message return.notice registers with the core; the order page's return section
        # subscribes to payments' hook.
        from . import handlers  # noqa: F401
