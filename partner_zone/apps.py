from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnerZoneConfig(AppConfig):
    name = "partner_zone"
    verbose_name = _("Partner zone")

    def ready(self):
        # The partner zone's message types register themselves with the platform core.
        from . import handlers  # noqa: F401
