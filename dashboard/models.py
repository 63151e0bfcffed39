"""The dashboard keeps no data of its own: it reads the other apps through their selectors. The one
model here holds its permission (no table): staff need `dashboard.view_dashboard`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("Can see the ops dashboard"))]
        verbose_name = _("ops dashboard")
        verbose_name_plural = _("ops dashboard")

    def __str__(self):
        return str(self._meta.verbose_name)
