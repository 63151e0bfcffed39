"""Partner scores and compliance: the platform's scoring policy, prospective partners and their
figures, every score computed (history kept), observed breaches of agreements and each
partnership's compliance watch (override, counting since the last resume)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossborder.audit import audit_trail
from crossborder.models import Partner, Partnership

from . import scoring


def _default_credit_weights():
    return dict(scoring.DEFAULT_WEIGHTS["credit"])


def _default_potential_weights():
    return dict(scoring.DEFAULT_WEIGHTS["potential"])


def _default_localization_weights():
    return dict(scoring.DEFAULT_WEIGHTS["localization"])


class ScoringPolicy(models.Model):
    """This platform's weights and thresholds (one row, edited in the admin). Each score's weights
    name every one of its parts with a whole number from 0, summing to 100."""

    credit_weights = models.JSONField(_("credit weights"), default=_default_credit_weights)
    potential_weights = models.JSONField(_("development potential weights"), default=_default_potential_weights)
    localization_weights = models.JSONField(_("localization weights"), default=_default_localization_weights)
    window_days = models.PositiveSmallIntegerField(
        _("look-back days"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("credit and compliance count what happened in this many days"),
    )
    growth_days = models.PositiveSmallIntegerField(
        _("growth period days"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("growth compares the last this-many days with the same number before"),
    )
    full_growth_percent = models.PositiveSmallIntegerField(
        _("growth for full marks (%)"), default=50, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    max_return_rate_percent = models.PositiveSmallIntegerField(
        _("return rate scoring 0 (%)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    warn_after = models.PositiveSmallIntegerField(
        _("warn after breaches"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("breaches within the look-back days (since the last resume) that send a warning"),
    )
    suspend_after = models.PositiveSmallIntegerField(
        _("suspend after breaches"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("breaches that suspend the partner zone automatically; more than the warning's"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = audit_trail()  # the audit trail: who changed what, when (admin: History)

    class Meta:
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(suspend_after__gt=models.F("warn_after")), name="policy_suspend_after_warn"
            )
        ]

    def __str__(self):
        return str(_("Scoring policy"))

    def weights_of(self, kind):
        return getattr(self, f"{kind}_weights")

    def clean(self):
        from .services.policy import policy_errors

        errors = policy_errors(self)
        if errors:
            raise ValidationError(errors)


class Prospect(models.Model):
    """A candidate platform's figures, typed in by ops or received in its metrics message when it
    links (then `partner` is the platform that sent them), scored beside current partners."""

    class Source(models.TextChoices):
        OPS = "ops", _("entered by ops")
        MESSAGE = "message", _("sent by the platform")

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    country = models.CharField(_("country"), max_length=2, blank=True)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.OPS)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("prospective partner")
        verbose_name_plural = _("prospective partners")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        from .errors import PartnersError

        try:
            scoring.parse_figures(self.figures)
        except PartnersError as exc:
            raise ValidationError({"figures": str(exc.detail)}) from None


class PartnerScore(models.Model):
    """One computation of one score of a partner or a prospect: the value and its parts (value,
    weight, evidence, missing) as they were. Never updated: the history."""

    class Kind(models.TextChoices):
        CREDIT = "credit", _("credit")
        POTENTIAL = "potential", _("development potential")
        LOCALIZATION = "localization", _("localization")

    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    prospect = models.ForeignKey(Prospect, null=True, blank=True, on_delete=models.CASCADE, related_name="scores")
    kind = models.CharField(_("score"), max_length=12, choices=Kind.choices)
    value = models.DecimalField(_("value"), max_digits=5, decimal_places=2, null=True, blank=True)
    parts = models.JSONField(_("parts"), default=list)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("partner score")
        verbose_name_plural = _("partner scores")
        ordering = ["-computed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=False, prospect__isnull=True)
                | Q(partner__isnull=True, prospect__isnull=False),
                name="partner_score_of_one",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0, value__lte=100), name="partner_score_0_100"
            ),
        ]
        indexes = [models.Index(fields=["partner", "kind", "-computed_at"], name="partner_score_recent_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value if self.value is not None else '-'}"


class ComplianceBreach(models.Model):
    """A breach of an agreement term we observed (with its evidence), or a warning that the count
    of breaches reached the policy's threshold. Each is sent to the partner."""

    class Term(models.TextChoices):
        SETTLEMENT = "settlement_on_time", _("settlement statement on time")
        DISPUTE = "dispute_answered", _("dispute answered in time")
        RECEIPT = "receipt_in_time", _("receipt in time")
        ORDER_ACK = "order_acknowledged", _("forwarded order acknowledged in time")
        ORDER_SHIPPED = "order_shipped", _("forwarded order shipped in time")
        RETURN_DECISION = "return_decision", _("aged-stock decision in time")
        THRESHOLD = "breach_threshold", _("breaches reached the warning threshold")

    class Severity(models.TextChoices):
        WARNING = "warning", _("warning")
        BREACH = "breach", _("breach")

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    term = models.CharField(_("term"), max_length=24, choices=Term.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    reference = models.CharField(_("what"), max_length=160, help_text=_("the period, order or consignment"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    observed_at = models.DateTimeField(_("observed"), default=timezone.now, db_index=True)
    evidence = models.TextField(_("evidence"))

    class Meta:
        verbose_name = _("compliance breach")
        verbose_name_plural = _("compliance breaches")
        ordering = ["-observed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "term", "reference"], name="compliance_breach_once")
        ]

    def __str__(self):
        return f"{self.partnership.partner.code} {self.term} {self.reference}"


class ComplianceWatch(models.Model):
    """Each partnership's compliance state: breaches count from `counting_since` (set when ops
    resume), and ops may hold automatic suspension off until a moment, with their reason."""

    partnership = models.OneToOneField(Partnership, on_delete=models.PROTECT, related_name="+")
    counting_since = models.DateTimeField(_("breaches count since"), null=True, blank=True)
    no_auto_suspend_until = models.DateTimeField(_("do not auto-suspend until"), null=True, blank=True)
    override_reason = models.CharField(_("why"), max_length=300, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    auto_suspended_at = models.DateTimeField(_("suspended automatically at"), null=True, blank=True)

    history = audit_trail()  # the audit trail: who changed what, when (admin: History)

    class Meta:
        verbose_name = _("compliance watch")
        verbose_name_plural = _("compliance watches")

    def __str__(self):
        return str(self.partnership)
