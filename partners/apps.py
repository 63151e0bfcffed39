from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner scores and compliance")

    def ready(self):
        # The partner messages this app receives (partner.metrics, compliance.breach).
        from . import handlers  # noqa: F401
