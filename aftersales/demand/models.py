"""The demand reports exchanged with partners: the one we sent for a day (so a second run that day
sends nothing) and the one each partner sent us (what our merchants read)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DemandReport(models.Model):
    """One partnership's demand report of one day, as sent or as received. `payload` is the
    message body (`demand.report`): figures per search and per product, no shopper in it."""

    class Direction(models.TextChoices):
        SENT = "sent", _("sent to the partner")
        RECEIVED = "received", _("received from the partner")

    partnership = models.ForeignKey("crossborder.Partnership", on_delete=models.PROTECT, related_name="demand_reports")
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    day = models.DateField(_("last day covered"))
    window_days = models.PositiveSmallIntegerField(_("days covered"))
    min_shoppers = models.PositiveSmallIntegerField(_("minimum shoppers per figure"))
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("demand report")
        verbose_name_plural = _("demand reports")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "direction", "day"], name="demand_report_once_a_day"),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.partnership_id} {self.day}"
