"""Ledger admin: read-only. Accounts with their balances (per partnership and currency), transactions
with their postings. The ledger is changed only by posting business events and reversals."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from crossborder import money
from crossborder.admin_base import ReadOnlyAdmin, ReadOnlyInline

from ..ledger.amounts import MoneySum
from ..models import Account, LedgerTransaction, Posting


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    """Balances per account; filter by partnership and currency for what each partner owes or is owed."""

    list_display = ["code", "kind", "currency", "partnership", "balance", "postings"]
    list_filter = ["kind", "currency", "partnership__partner", "code"]
    list_select_related = ["partnership__partner"]
    search_fields = ["code", "partnership__partner__code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(balance_sum=MoneySum("postings__amount"), count=Count("postings"))

    @admin.display(description=_("balance (debit positive)"), ordering="balance_sum")
    def balance(self, account):
        # Exact (MoneySum) and in the currency's minor units: 0.00 CNY, 0 JPY.
        return money.quantize(account.balance_sum or Decimal(0), account.currency)

    @admin.display(description=_("postings"), ordering="count")
    def postings(self, account):
        return account.count


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ["account", "amount", "currency", "partnership", "event_reference"]
    readonly_fields = fields


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "occurred_at", "recorded_at", "reverses"]
    list_filter = ["kind"]
    search_fields = ["reference", "postings__event_reference"]
    date_hierarchy = "recorded_at"
    fields = ["reference", "kind", "memo", "occurred_at", "recorded_at", "reverses", "actor"]
    readonly_fields = fields
    inlines = [PostingInline]
