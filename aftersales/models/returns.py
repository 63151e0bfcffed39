import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossborder import money
from crossborder.audit import audit_trail

from ..choices import Disposition, Grade, ReturnReason
from .threads import Thread


class ReturnRequest(models.Model):
    """A shopper's return or exchange of delivered lines of one order, handled in the shopper's own
    country: `token` for the shopper's URLs, `reference` its name between the partner platforms."""

    class Kind(models.TextChoices):
        RETURN = "return", _("return for a refund")
        EXCHANGE = "exchange", _("exchange")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        LABEL_ISSUED = "label_issued", _("return label issued")
        RECEIVED = "received", _("received at the warehouse")
        INSPECTED = "inspected", _("inspected")
        REFUNDED = "refunded", _("refunded")
        EXCHANGED = "exchanged", _("exchanged")
        CANCELLED = "cancelled", _("cancelled")

    token = models.CharField(max_length=32, unique=True, editable=False, verbose_name=_("token"))
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey("payments.Order", on_delete=models.PROTECT, related_name="returns")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RETURN)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason.choices)
    reason_text = models.TextField(_("details"), max_length=2000, blank=True)
    photos = models.JSONField(default=list, blank=True, help_text=_("stored upload names"))
    warehouse = models.ForeignKey(
        "logistics.Warehouse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("return to"),
    )
    label_number = models.CharField(_("return label"), max_length=64, blank=True)
    thread = models.OneToOneField(Thread, on_delete=models.PROTECT, related_name="return_request")
    language = models.CharField(_("shopper's language"), max_length=10, blank=True)
    # The policy that applied when it was opened (window, who pays return shipping, fees).
    policy = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="return_status_recent_idx")]

    def __str__(self):
        return f"R{self.pk} ({self.get_kind_display()}, #{self.order.number})"

    @property
    def number(self):
        """The return's number as the shopper and ops see it."""
        return f"R{self.pk}"


class ReturnLine(models.Model):
    """Units of one order line in a return, and what they were refunded."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "payments.OrderLine", on_delete=models.PROTECT, related_name="return_lines", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    refund = money.money_field(_("refunded"), null=True, blank=True)
    deduction = money.money_field(_("deducted"), null=True, blank=True)
    deduction_reason = models.CharField(_("why deducted"), max_length=200, blank=True)
    # Units of the same order line refunded before this line's (fixed with its refund): this line's
    # units take the next shares of the line's total and of the partner's credit.
    units_before = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("returned line")
        verbose_name_plural = _("returned lines")
        constraints = [
            models.UniqueConstraint(fields=["request", "order_line"], name="return_line_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="return_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.order_line.sku} x{self.quantity}"


class ReturnUnit(models.Model):
    """One physical unit received back: its grade after inspection and what becomes of it."""

    line = models.ForeignKey(ReturnLine, on_delete=models.CASCADE, related_name="units")
    number = models.PositiveSmallIntegerField()
    partnership = models.ForeignKey(
        "crossborder.Partnership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("the owner when it is a partner's goods; empty for our own"),
    )
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    notes = models.TextField(_("inspection notes"), max_length=2000, blank=True)
    photos = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    inspected_at = models.DateTimeField(null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disposition = models.CharField(_("disposition"), max_length=10, choices=Disposition.choices, blank=True)
    disposition_reason = models.CharField(_("why"), max_length=300, blank=True)
    disposition_by_rule = models.BooleanField(
        default=False, help_text=_("decided by the agreement's rules"), verbose_name=_("disposition by the rules")
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = audit_trail()  # the audit trail: who changed what, when (admin: History)

    class Meta:
        verbose_name = _("returned unit")
        verbose_name_plural = _("returned units")
        ordering = ["line_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["line", "number"], name="return_unit_number_once"),
            models.CheckConstraint(
                condition=Q(disposition="") | ~Q(grade=""), name="return_unit_graded_before_disposed"
            ),
        ]

    def __str__(self):
        return f"{self.line} #{self.number} {self.grade or '-'}"


class ReturnEvent(models.Model):
    """One step of a return: the shopper's timeline and the ops audit trail."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=14, choices=ReturnRequest.Status.choices, verbose_name=_("status"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("return event")
        verbose_name_plural = _("return events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_status_display()} {self.created_at:%Y-%m-%d %H:%M}"


class PartnerReturnNotice(models.Model):
    """The exporter's record of a partner's return of our goods (message return.notice): one row per
    step the importer reported (opened, received, graded, refunded, exchanged), with what it said."""

    class Step(models.TextChoices):
        OPENED = "opened", _("opened")
        RECEIVED = "received", _("received at the partner's warehouse")
        GRADED = "graded", _("inspected and graded")
        REFUNDED = "refunded", _("refunded")
        EXCHANGED = "exchanged", _("exchanged")

    partnership = models.ForeignKey(
        "crossborder.Partnership",
        on_delete=models.PROTECT,
        related_name="return_notices",
        verbose_name=_("partnership"),
    )
    return_reference = models.UUIDField(_("partner's return"))
    order_reference = models.UUIDField(_("partner's order"))
    order_number = models.CharField(_("partner's order number"), max_length=40)
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason.choices)
    lines = models.JSONField(default=list, help_text=_("line references, SKUs, quantities, grades, amounts"))
    occurred_at = models.DateTimeField(_("at the partner"))
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("return reported by a partner")
        verbose_name_plural = _("returns reported by partners")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "return_reference", "step"], name="partner_return_notice_once"
            ),
        ]

    def __str__(self):
        return f"{self.partnership.partner.code} #{self.order_number} {self.step}"
