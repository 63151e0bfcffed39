"""Money: the double-entry ledger and the nightly settlement batches with partners.

The ledger is append-only in the database itself (migration 0001 installs triggers that refuse UPDATE
and DELETE on transactions and postings, and on PostgreSQL a deferred trigger that refuses a
transaction whose postings do not sum to zero per currency). Amounts are Decimal with a currency;
a posting's sign says its side: positive is a debit, negative a credit."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossborder import money
from crossborder.models import Partnership

__all__ = [
    "AMOUNT",
    "LedgerIsAppendOnly",
    "AppendOnlyQuerySet",
    "AppendOnly",
    "Account",
    "LedgerTransaction",
    "Posting",
    "SettlementBatch",
    "SettledPosting",
    "StatementLine",
    "PartnerStatementPart",
    "SettlementDispute",
    "PayoutInstruction",
]

AMOUNT = {**money.AMOUNT_COLUMN}  # the money columns' range, owned by the core's money tools


class LedgerIsAppendOnly(Exception):
    """Raised on any attempt to change or delete a ledger row; post a reversing transaction."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly("the ledger is append-only: post a reversing transaction")

    def delete(self):
        raise LedgerIsAppendOnly("the ledger is append-only: post a reversing transaction")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsAppendOnly(f"{self._meta.verbose_name} {self.pk} is part of the ledger and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly(f"{self._meta.verbose_name} {self.pk} is part of the ledger and cannot be deleted")


class Account(models.Model):
    """A ledger account in one currency; per partnership where money is owed between platforms."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("asset")
        LIABILITY = "liability", _("liability")
        INCOME = "income", _("income")
        EXPENSE = "expense", _("expense")
        EQUITY = "equity", _("equity")

    code = models.CharField(
        max_length=60, help_text=_("What the account holds, e.g. partner_balance"), verbose_name=_("code")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
        verbose_name=_("partnership"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["code", "currency", "partnership_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "currency", "partnership"], name="account_once", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="account_currency_iso"),
        ]

    def __str__(self):
        suffix = f" · {self.partnership.partner.code}" if self.partnership_id else ""
        return f"{self.code} {self.currency}{suffix}"


class LedgerTransaction(AppendOnly):
    """One business event's balanced set of postings. `reference` names the event and is unique:
    posting the same event twice is impossible. Corrections reverse, never edit."""

    reference = models.CharField(max_length=160, unique=True, verbose_name=_("reference"))
    kind = models.CharField(max_length=40, db_index=True, verbose_name=_("kind"))
    memo = models.CharField(max_length=300, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, verbose_name=_("occurred at"))
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("recorded at"))
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by", verbose_name=_("reverses")
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return self.reference


class Posting(AppendOnly):
    """One side of a ledger transaction on one account. Positive debits, negative credits."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings", verbose_name=_("account"))
    amount = models.DecimalField(**AMOUNT, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    # Set on postings to a partner's balance, the ones settlement nets (copied from the account and
    # the transaction so settlement reads one table).
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="postings",
        verbose_name=_("partnership"),
    )
    # Whom the posting is owed to or by outside a partnership ("provider:<reference>" on a local
    # service provider's payable): that party's balance is a query on this column.
    counterparty = models.CharField(max_length=80, blank=True, default="", db_index=True)
    kind = models.CharField(max_length=40)
    event_reference = models.CharField(
        max_length=160, help_text=_("The business event, shared with the partner"), verbose_name=_("event reference")
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["transaction_id", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="posting_not_zero")]
        indexes = [
            models.Index(
                fields=["partnership", "recorded_at"],
                name="posting_partner_open_idx",
                condition=Q(partnership__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.account} {self.amount:+} {self.currency}"


# --- settlement ----------------------------------------------------------------------------------


class SettlementBatch(models.Model):
    """One partnership's closed period in one currency: the unsettled partner postings recorded
    before the cut-off, netted, converted once at the cut-off rate into the settlement currency.
    Unique per (partnership, period end, currency): a second run of the same period finds it."""

    class Status(models.TextChoices):
        OPEN = "open", _("sent, waiting for the partner's statement")
        RECONCILED = "reconciled", _("reconciled")
        DISPUTED = "disputed", _("disputed")
        PAID = "paid", _("paid")

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="settlement_batches")
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(
        help_text=_("The cut-off: postings recorded before it belong here"), verbose_name=_("period end")
    )
    currency = models.CharField(max_length=3, help_text=_("The settlement currency"), verbose_name=_("currency"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, verbose_name=_("status"))
    # Positive: the partner owes us; negative: we owe the partner. In the settlement currency.
    net_amount = models.DecimalField(**AMOUNT, verbose_name=_("net amount"))
    posting_count = models.PositiveIntegerField(default=0, verbose_name=_("posting count"))
    currency_totals = models.JSONField(
        default=dict, blank=True, help_text=_("Per currency: its total, the cut-off rate and the converted amount")
    )
    created_at = models.DateTimeField(default=timezone.now)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    partner_net_amount = models.DecimalField(**AMOUNT, null=True, blank=True, verbose_name=_("partner net amount"))

    class Meta:
        verbose_name = _("settlement batch")
        verbose_name_plural = _("settlement batches")
        ordering = ["-period_end", "partnership_id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "period_end", "currency"], name="settlement_batch_once"),
        ]

    def __str__(self):
        return f"{self.partnership.partner.code} {self.period_end:%Y-%m-%d %H:%M} {self.net_amount} {self.currency}"

    @property
    def we_owe(self):
        return self.net_amount < 0


class SettledPosting(models.Model):
    """A posting's place in a batch; one batch at most. Postings themselves are never updated."""

    # No foreign-key checks in the database on these two (a batch claims a million rows at once, and
    # each check would run at commit): postings can never be deleted (the ledger's triggers) and
    # batches are never deleted (PROTECT, no delete in the admin), so a reference cannot dangle.
    posting = models.OneToOneField(
        Posting, on_delete=models.PROTECT, primary_key=True, related_name="settled", db_constraint=False
    )
    # No index on the batch either: nothing looks claims up by batch (the statement lines carry the
    # batch's sums), and maintaining one cost a third of claiming a million postings.
    batch = models.ForeignKey(
        SettlementBatch,
        on_delete=models.PROTECT,
        related_name="settled_postings",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        verbose_name = _("settled posting")
        verbose_name_plural = _("settled postings")

    def __str__(self):
        return f"posting {self.posting_id} in batch {self.batch_id}"


class StatementLine(models.Model):
    """A batch's postings summed per business event and currency: the unit both sides compare."""

    # Written in bulk with the batch; no database foreign-key check for the same reason as above.
    batch = models.ForeignKey(SettlementBatch, on_delete=models.PROTECT, related_name="lines", db_constraint=False)
    event_reference = models.CharField(max_length=160, verbose_name=_("event reference"))
    kind = models.CharField(max_length=40, verbose_name=_("kind"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    amount = models.DecimalField(**AMOUNT, help_text=_("Positive: the partner owes us"), verbose_name=_("amount"))
    posting_count = models.PositiveIntegerField(verbose_name=_("posting count"))

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["batch_id", "event_reference", "currency"]
        # One line per (event, kind, currency) is what the GROUP BY that writes them makes; no unique
        # index to maintain for half a million lines a night.

    def __str__(self):
        return f"{self.event_reference} {self.amount} {self.currency}"


class PartnerStatementPart(models.Model):
    """The partner's statement of a period as received, in parts for long ones. Amounts are from
    the partner's side (positive: we owe them), compared line by line with our own batch."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="partner_statements", verbose_name=_("partnership")
    )
    period_end = models.DateTimeField(verbose_name=_("period end"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    part = models.PositiveIntegerField(verbose_name=_("part"))
    parts = models.PositiveIntegerField(verbose_name=_("parts"))
    batch_reference = models.UUIDField(help_text=_("The partner's batch"))
    net_amount = models.DecimalField(**AMOUNT, verbose_name=_("net amount"))
    lines = models.JSONField(default=list)
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("partner statement part")
        verbose_name_plural = _("partner statement parts")
        ordering = ["partnership_id", "-period_end", "part"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "period_end", "currency", "part"], name="partner_statement_part_once"
            ),
            models.CheckConstraint(
                condition=Q(part__gte=1, part__lte=models.F("parts")), name="statement_part_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.partnership.partner.code} {self.period_end:%Y-%m-%d} part {self.part}/{self.parts}"


class SettlementDispute(models.Model):
    """A line where the two statements differ: both sides' figures, for people to settle."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")

    batch = models.ForeignKey(
        SettlementBatch, on_delete=models.CASCADE, related_name="disputes", verbose_name=_("batch")
    )
    event_reference = models.CharField(max_length=160, verbose_name=_("event reference"))
    kind = models.CharField(max_length=40, blank=True, verbose_name=_("kind"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    our_amount = models.DecimalField(**AMOUNT, null=True, blank=True, verbose_name=_("our amount"))
    partner_amount = models.DecimalField(**AMOUNT, null=True, blank=True, verbose_name=_("partner amount"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name=_("status"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("settlement dispute")
        verbose_name_plural = _("settlement disputes")
        ordering = ["batch_id", "event_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "event_reference", "kind", "currency"], name="settlement_dispute_once"
            )
        ]

    def __str__(self):
        return f"{self.event_reference}: {self.our_amount} / {self.partner_amount} {self.currency}"


class PayoutInstruction(models.Model):
    """The one credit transfer a reconciled batch produces when we owe: a pain.001 file and a CSV."""

    batch = models.OneToOneField(SettlementBatch, on_delete=models.PROTECT, related_name="payout")
    message_id = models.CharField(max_length=35, unique=True)
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3)
    pain001 = models.TextField()
    statement_csv = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payout instruction")
        verbose_name_plural = _("payout instructions")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_positive")]

    def __str__(self):
        return f"{self.message_id} {self.amount} {self.currency}"
