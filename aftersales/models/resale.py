"""The exporter's record of what its partner decided for its goods returned there (message
`return.disposition`): shown in the admin, one row per returned unit, the latest decision kept."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossborder.audit import audit_trail

from ..choices import Disposition, Grade


class ReceivedDisposition(models.Model):
    """A partner told us what becomes of one unit of our goods its shopper returned there."""

    partnership = models.ForeignKey(
        "crossborder.Partnership", on_delete=models.PROTECT, related_name="+", verbose_name=_("partnership")
    )
    unit = models.CharField(_("returned unit"), max_length=120, help_text=_("the unit's name on both platforms"))
    order_line = models.CharField(_("order line"), max_length=120)
    product = models.UUIDField(_("our product id"), null=True, blank=True)
    sku = models.CharField(_("SKU"), max_length=64)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    disposition = models.CharField(_("disposition"), max_length=10, choices=Disposition.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    by_rule = models.BooleanField(_("by the agreement's rules"), default=False)
    resale_discount_percent = models.DecimalField(
        _("resale discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    resale_fee_rate = models.DecimalField(_("resale fee rate"), max_digits=5, decimal_places=4, null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"))
    # What has happened since the decision (a repair sent to a provider, the unit sent back), and when.
    step = models.CharField(_("latest step"), max_length=20, blank=True)
    step_at = models.DateTimeField(_("step at"), null=True, blank=True)
    repair_ticket = models.CharField(_("repair ticket"), max_length=40, blank=True)
    consignment = models.UUIDField(_("reverse consignment"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    history = audit_trail()  # the audit trail: who changed what, when (admin: History)

    class Meta:
        verbose_name = _("partner's disposition of a returned unit")
        verbose_name_plural = _("partners' dispositions of returned units")
        ordering = ["-decided_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["partnership", "unit"], name="received_disposition_once")]

    def __str__(self):
        return f"{self.unit}: {self.get_disposition_display()}"
