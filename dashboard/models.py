"""The dashboard keeps no data of its own: it reads the other apps through their selectors. The one
model here only holds its permission (staff need `dashboard.view_dashboard`): a proxy of the
partners, whose figures it shows, so it has no table of its own."""

from django.utils.translation import gettext_lazy as _

from crossborder.models import Partner


class PartnerDashboard(Partner):
    class Meta:
        proxy = True
        default_permissions = ()
        permissions = [("view_dashboard", _("Can see the ops dashboard"))]
        verbose_name = _("ops dashboard")
        verbose_name_plural = _("ops dashboard")
