"""A merchant's money terms (commission, bank details, encrypted at rest) and the payout runs that
pay merchants. What a merchant is owed is never stored here: it is the ledger's merchant_payables
postings tagged with the merchant (services.party)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Merchant
from crossborder.fields import EncryptedTextField

from ..ledger.models import AMOUNT

__all__ = ["MerchantPayoutTerms", "MerchantPayoutRun", "MerchantPayout"]


class MerchantPayoutTerms(models.Model):
    """How a merchant is paid: its commission rate (none: the platform's default) and where the
    money goes. IBAN and account number are encrypted at rest (crossborder/fields.py)."""

    merchant = models.OneToOneField(
        Merchant, on_delete=models.PROTECT, related_name="payout_terms", verbose_name=_("merchant")
    )
    commission_percent = models.DecimalField(
        _("commission (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Empty: the platform's default rate."),
    )
    account_holder = models.CharField(_("account holder"), max_length=140, blank=True)
    bank_country = models.CharField(_("bank country"), max_length=2, blank=True)
    iban = EncryptedTextField(_("IBAN"), blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_number = EncryptedTextField(_("account number"), blank=True)
    bank_name = models.CharField(_("bank name"), max_length=140, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("merchant payout terms")
        verbose_name_plural = _("merchant payout terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_percent__isnull=True)
                | Q(commission_percent__gte=0, commission_percent__lte=100),
                name="merchant_commission_in_range",
            )
        ]

    def __str__(self):
        return str(self.merchant)

    @property
    def has_bank_details(self):
        return bool(self.account_holder and (self.iban or (self.account_number and self.bank_name)))

    def bank(self):
        """The creditor as the payout writer takes it."""
        return {"name": self.account_holder, "iban": self.iban, "account": self.account_number, "bic": self.bic}

    def masked_account(self):
        value = self.iban or self.account_number
        return f"•••• {value[-4:]}" if value else ""


class MerchantPayoutRun(models.Model):
    """One payout run: one pain.001 file paying every merchant due, with its CSV. `key` names the
    run (the day, for the scheduled one): a second run with the same key is this one."""

    key = models.CharField(_("run"), max_length=40, unique=True)
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    pain001 = models.TextField(blank=True)
    payouts_csv = models.TextField(blank=True)
    held = models.JSONField(
        default=list, blank=True, help_text=_("Merchants not paid in this run, and why (held, below minimum...)")
    )

    class Meta:
        verbose_name = _("merchant payout run")
        verbose_name_plural = _("merchant payout runs")
        ordering = ["-created_at"]

    def __str__(self):
        return self.key


class MerchantPayout(models.Model):
    """One merchant's transfer in a run, in one currency; posted to the ledger under `reference`."""

    run = models.ForeignKey(MerchantPayoutRun, on_delete=models.PROTECT, related_name="payouts")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("merchant"))
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    reference = models.CharField(_("reference"), max_length=160, unique=True)

    class Meta:
        verbose_name = _("merchant payout")
        verbose_name_plural = _("merchant payouts")
        ordering = ["run_id", "merchant_id", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["run", "merchant", "currency"], name="merchant_payout_once_per_run"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="merchant_payout_positive"),
        ]

    def __str__(self):
        return f"{self.merchant} {self.amount} {self.currency}"
