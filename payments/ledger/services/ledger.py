"""The double-entry ledger: post one balanced transaction per business event, reverse to correct,
split amounts so the parts always sum to the whole.

A posting's sign is its side: positive debits, negative credits. Every transaction sums to zero per
currency (checked here, and again by the database at commit on PostgreSQL). The event's reference is
unique, so an event is posted once: posting it again with the same entries returns the first
transaction (a retried webhook or task is harmless); with different entries it is refused."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from djmoney.money import Money

from crossborder import money
from crossborder.errors import DomainError

from ...errors import LedgerErrorCode as Code
from ..models import Account, LedgerTransaction, Posting

# The chart of accounts: every code a posting may use and its kind. `partner_balance` is the one
# settlement nets: positive means the partner owes us, negative that we owe the partner.
CHART = {
    "psp_clearing": Account.Kind.ASSET,  # captured at the payment provider, not yet paid out to us
    "bank": Account.Kind.ASSET,
    "partner_balance": Account.Kind.ASSET,
    "shopper_prepayments": Account.Kind.LIABILITY,  # paid by shoppers for orders not yet recognised
    "duties_payable": Account.Kind.LIABILITY,  # import duties and taxes collected for customs
    "sales_revenue": Account.Kind.INCOME,
    "shipping_revenue": Account.Kind.INCOME,
    "commission_income": Account.Kind.INCOME,
    "logistics_fee_income": Account.Kind.INCOME,
    "warehouse_fee_income": Account.Kind.INCOME,
    "campaign_share_income": Account.Kind.INCOME,
    "campaign_discounts": Account.Kind.EXPENSE,
    "partner_fees": Account.Kind.EXPENSE,
    "refunds": Account.Kind.EXPENSE,
    "return_chargebacks": Account.Kind.INCOME,
    "return_fee_income": Account.Kind.INCOME,  # what a return's policy kept of the refund (fees)
    # Local service providers (installation, maintenance, repair: aftersales' service tickets).
    "service_revenue": Account.Kind.INCOME,  # what shoppers paid for a service, once it is done
    "service_fee_income": Account.Kind.INCOME,  # a service the partner pays, billed to it
    "service_costs": Account.Kind.EXPENSE,  # what the providers charge us
    "provider_payables": Account.Kind.LIABILITY,  # owed to providers until paid out
    # Merchants selling through us (payments/merchants): what each is owed, one balance per merchant
    # and currency (postings tagged "merchant:<id>"), and the cost of the goods we sold for them.
    "merchant_payables": Account.Kind.LIABILITY,
    "merchant_goods_cost": Account.Kind.EXPENSE,
    "merchant_fee_income": Account.Kind.INCOME,  # fees merchants pay us, off their balance
    # Trading account between currencies: a sale paid in CNY for goods owed in USD leaves CNY on one
    # side and USD on the other, so each currency balances on its own.
    "fx_position": Account.Kind.EQUITY,
}
PARTNER_ACCOUNTS = {"partner_balance"}


def LedgerError(code, detail, *, field=None, status=None):  # noqa: N802 - reads like the exception it builds
    return DomainError(code, detail, field=field, status=status)


# --- amounts -----------------------------------------------------------------------------------


# Minor units, checking an amount and splitting one by weights are the core's money tools
# (crossborder.money: minor_digits, parse_amount, allocate).


# --- posting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of a transaction to post: an account code, a signed amount, and the partnership for
    a partner's balance."""

    account: str
    amount: Money
    partnership: object = None  # crossborder.models.Partnership
    # Whom the line is owed to or by outside a partnership (a local service provider:
    # "provider:<reference>"), so that party's balance is one query (counterparty_balance).
    counterparty: str = ""


_accounts: dict = {}


def account(code, currency, partnership=None) -> Account:
    if code not in CHART:
        raise LedgerError(Code.UNKNOWN_ACCOUNT, f"No ledger account {code!r} in the chart.", field="account")
    if (code in PARTNER_ACCOUNTS) != (partnership is not None):
        raise LedgerError(
            Code.UNKNOWN_ACCOUNT,
            f"Account {code!r} {'needs' if code in PARTNER_ACCOUNTS else 'takes no'} partnership.",
            field="account",
        )
    key = (code, currency, getattr(partnership, "pk", None))
    found = _accounts.get(key)
    if found is None:
        found, _created = Account.objects.get_or_create(
            code=code, currency=currency, partnership=partnership, defaults={"kind": CHART[code]}
        )
        # Remembered once committed: an account created in a transaction that rolls back is gone.
        transaction.on_commit(lambda: _accounts.__setitem__(key, found))
    return found


def forget_accounts():
    """Drop the per-process account cache (tests roll accounts back)."""
    _accounts.clear()


def _normalised(entries):
    lines = []
    totals = {}
    for index, entry in enumerate(entries):
        currency = str(entry.amount.currency)
        amount = money.parse_amount(entry.amount.amount, currency, field=f"entries[{index}].amount")
        if amount == 0:
            continue
        lines.append((entry.account, amount, currency, entry.partnership, entry.counterparty))
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    unbalanced = {currency: total for currency, total in totals.items() if total != 0}
    if unbalanced:
        left = ", ".join(f"{total} {currency}" for currency, total in sorted(unbalanced.items()))
        raise LedgerError(Code.UNBALANCED, f"The entries do not balance: {left} left over.", field="entries")
    if len(lines) < 2:
        raise LedgerError(Code.UNBALANCED, "A transaction needs at least two non-zero entries.", field="entries")
    return lines


def _same_postings(existing, lines):
    theirs = sorted((p.account.code, p.amount, p.currency, p.partnership_id) for p in existing.postings.all())
    ours = sorted((code, amount, currency, getattr(p, "pk", None)) for code, amount, currency, p, _party in lines)
    return theirs == ours


def post(*, reference, kind, entries, memo="", occurred_at=None, event_reference=None, actor=None, reverses=None):
    """Post one balanced transaction for one business event. `event_reference` (default: the
    reference) is what both platforms call the event, the key their statements are compared by."""
    lines = _normalised(entries)
    now = timezone.now()
    try:
        with transaction.atomic():
            posted = LedgerTransaction.objects.create(
                reference=reference,
                kind=kind,
                memo=memo[:300],
                occurred_at=occurred_at or now,
                recorded_at=now,
                actor=actor,
                reverses=reverses,
            )
            Posting.objects.bulk_create(
                Posting(
                    transaction=posted,
                    account=account(code, currency, partnership),
                    amount=amount,
                    currency=currency,
                    partnership=partnership if code in PARTNER_ACCOUNTS else None,
                    counterparty=counterparty,
                    kind=kind,
                    event_reference=event_reference or reference,
                    recorded_at=posted.recorded_at,
                )
                for code, amount, currency, partnership, counterparty in lines
            )
    except IntegrityError:
        existing = LedgerTransaction.objects.filter(reference=reference).prefetch_related("postings__account").first()
        if existing is None:
            raise
        if existing.kind == kind and _same_postings(existing, lines):
            return existing
        raise LedgerError(
            Code.ALREADY_POSTED,
            f"Event {reference!r} is already in the ledger with other amounts; reverse it to correct it.",
            field="reference",
            status=409,
        ) from None
    return posted


@transaction.atomic
def reverse(*, original, reason, actor=None):
    """Correct a posted transaction by posting its mirror image; the original stays as it was."""
    if LedgerTransaction.objects.filter(reverses=original).exists():
        raise LedgerError(Code.ALREADY_REVERSED, f"{original.reference} is already reversed.", status=409)
    postings = list(original.postings.select_related("account", "partnership"))
    return post(
        reference=f"reversal:{original.reference}",
        kind=original.kind,
        entries=[
            Entry(
                p.account.code,
                Money(-p.amount, p.currency),
                p.account.partnership if p.partnership_id else None,
                counterparty=p.counterparty,  # a reversal stays on the same party's balance
            )
            for p in postings
        ],
        memo=reason,
        event_reference=postings[0].event_reference if postings else original.reference,
        actor=actor,
        reverses=original,
    )


def reverse_event(*, reference, reason, actor=None):
    """Reverse the event posted under `reference`, if it was posted and not yet reversed: the
    reversal, or None when there is nothing (left) to reverse. Safe to repeat (a cancelled order, a
    repeated cancellation message)."""
    original = LedgerTransaction.objects.filter(reference=reference).first()
    if original is None or LedgerTransaction.objects.filter(reverses=original).exists():
        return None
    return reverse(original=original, reason=reason, actor=actor if getattr(actor, "is_authenticated", False) else None)


# --- business events ---------------------------------------------------------------------------
# One function per event; checkout, payments, logistics fees, campaigns and returns call these.


def _money(value, field):
    if not isinstance(value, Money):
        raise LedgerError(Code.INVALID_AMOUNT, f"{field} must be an amount with its currency.", field=field)
    money.parse_amount(value.amount, str(value.currency), field=field)
    return value


def record_payment_captured(*, reference, amount: Money, provider=""):
    """The shopper's money reached the provider: it is ours to hold until the order is recognised."""
    amount = _money(amount, "amount")
    return post(
        reference=reference,
        kind="payment_captured",
        entries=[Entry("psp_clearing", amount), Entry("shopper_prepayments", -amount)],
        memo=f"captured by {provider}" if provider else "",
    )


def record_refund(*, reference, amount: Money, provider=""):
    """Money back to the shopper through the provider."""
    amount = _money(amount, "amount")
    return post(
        reference=reference,
        kind="refund",
        entries=[Entry("shopper_prepayments", amount), Entry("psp_clearing", -amount)],
        memo=f"refunded by {provider}" if provider else "",
    )


def record_return_refund(*, reference, paid: Money, refunded: Money):
    """Returned units are taken back: what the shopper had paid for them is a refunds expense;
    `refunded` of it went back through the provider (record_refund), the rest is fee income (the
    return policy's restocking fee or return shipping)."""
    paid, refunded = _money(paid, "paid"), _money(refunded, "refunded")
    if refunded.currency != paid.currency or not 0 <= refunded.amount <= paid.amount:
        raise LedgerError(Code.INVALID_AMOUNT, "A refund is at most what was paid, in its currency.", field="refunded")
    return post(
        reference=reference,
        kind="return_refund",
        entries=[
            Entry("refunds", paid),
            Entry("shopper_prepayments", -refunded),
            Entry("return_fee_income", refunded - paid),
        ],
    )


def record_own_goods_sale(*, reference, goods: Money, shipping: Money | None = None, taxes: Money | None = None):
    """An order line of our own goods is recognised: revenue, shipping, and taxes owed to customs."""
    goods = _money(goods, "goods")
    currency = str(goods.currency)
    shipping = _money(shipping, "shipping") if shipping is not None else Money(0, currency)
    taxes = _money(taxes, "taxes") if taxes is not None else Money(0, currency)
    total = goods + shipping + taxes
    return post(
        reference=reference,
        kind="own_goods_sale",
        entries=[
            Entry("shopper_prepayments", total),
            Entry("sales_revenue", -goods),
            Entry("shipping_revenue", -shipping),
            Entry("duties_payable", -taxes),
        ],
    )


def record_partner_goods_sale(
    *, reference, partnership, shopper_amount: Money, taxes: Money, partner_amount: Money, commission_rate
):
    """A line of partner goods is sold here: the shopper's money (home currency) less the duties and
    taxes we collect is exchanged (fx_position) for what we owe the partner in its export currency,
    less our commission. `reference` is the event's name on both platforms (the forwarded order line),
    so the exporter's statement carries the same event with the opposite sign."""
    shopper_amount = _money(shopper_amount, "shopper_amount")
    taxes = _money(taxes, "taxes")
    partner_amount = _money(partner_amount, "partner_amount")
    if taxes.currency != shopper_amount.currency:
        raise LedgerError(Code.CURRENCY_MISMATCH, "Taxes are collected in the shopper's currency.", field="taxes")
    partner_currency = str(partner_amount.currency)
    commission = money.money(
        partner_amount.amount * Decimal(str(commission_rate)), partner_currency, rounding=money.BANKERS
    )
    exchanged = shopper_amount - taxes
    return post(
        reference=reference,
        kind="partner_goods_sale",
        entries=[
            Entry("shopper_prepayments", shopper_amount),
            Entry("duties_payable", -taxes),
            Entry("fx_position", -exchanged),
            Entry("fx_position", partner_amount),
            Entry("partner_balance", -partner_amount, partnership),
            Entry("partner_balance", commission, partnership),
            Entry("commission_income", -commission),
        ],
    )


def resale_fee(proceeds: Money, rate) -> Money:
    """The reselling platform's agreed share of a resold returned unit's proceeds (Terms.resale_fee_rate)."""
    return money.money(proceeds.amount * Decimal(str(rate)), str(proceeds.currency), rounding=money.BANKERS)


def record_partner_goods_resale(
    *, reference, partnership, shopper_amount: Money, taxes: Money, proceeds: Money, fee_rate
):
    """A returned unit of the partner's goods is resold here at its grade: of the shopper's money,
    the duties and taxes are owed to customs, the proceeds (the goods, without taxes and freight)
    are the partner's less the agreed resale fee, which is ours with the freight. All in the
    shopper's currency; settlement converts the partner's balance once at the cut-off."""
    shopper_amount = _money(shopper_amount, "shopper_amount")
    taxes, proceeds = _money(taxes, "taxes"), _money(proceeds, "proceeds")
    if not taxes.currency == proceeds.currency == shopper_amount.currency:
        raise LedgerError(Code.CURRENCY_MISMATCH, "A resale is posted in the shopper's currency.", field="proceeds")
    fee = resale_fee(proceeds, fee_rate)
    return post(
        reference=reference,
        kind="partner_goods_resale",
        entries=[
            Entry("shopper_prepayments", shopper_amount),
            Entry("duties_payable", -taxes),
            Entry("partner_balance", -(proceeds - fee), partnership),
            Entry("commission_income", -fee),
            Entry("shipping_revenue", -(shopper_amount - taxes - proceeds)),
        ],
    )


def record_goods_sold_abroad(*, reference, partnership, partner_amount: Money, commission_rate):
    """The exporter's side of a partner-goods sale: the partner owes us the export price less its
    commission (the event the importer posts with record_partner_goods_sale); of a resale of a
    returned unit, the proceeds less the resale fee, with a commission rate of 0
    (record_partner_goods_resale)."""
    partner_amount = _money(partner_amount, "partner_amount")
    currency = str(partner_amount.currency)
    commission = money.money(partner_amount.amount * Decimal(str(commission_rate)), currency, rounding=money.BANKERS)
    return post(
        reference=reference,
        kind="goods_sold_abroad",
        entries=[
            Entry("partner_balance", partner_amount - commission, partnership),
            Entry("partner_fees", commission),
            Entry("sales_revenue", -partner_amount),
        ],
    )


def record_service_done(*, reference, cost: Money, shopper_paid: Money | None = None, counterparty=""):
    """A local provider completed a service ticket: we owe it `cost` (an expense, payable to it,
    the payable tagged with the provider: `counterparty`); when the shopper paid for the service
    (`shopper_paid`), that prepayment becomes service revenue now. Once per ticket (`reference`)."""
    cost = _money(cost, "cost")
    entries = [Entry("service_costs", cost), Entry("provider_payables", -cost, counterparty=counterparty)]
    if shopper_paid is not None and shopper_paid.amount:
        shopper_paid = _money(shopper_paid, "shopper_paid")
        entries += [Entry("shopper_prepayments", shopper_paid), Entry("service_revenue", -shopper_paid)]
    return post(reference=reference, kind="service_done", entries=entries)


def record_provider_payout(*, reference, amount: Money, counterparty):
    """What we owed a local provider is paid out from the bank: its payable goes down. Once per
    `reference` (a provider and period)."""
    amount = _money(amount, "amount")
    return post(
        reference=reference,
        kind="provider_payout",
        entries=[Entry("provider_payables", amount, counterparty=counterparty), Entry("bank", -amount)],
    )


def counterparty_balance(*, account, counterparty, before=None):
    """{currency: sum of postings} of `account` tagged with `counterparty` (recorded before
    `before`, when given). A payable owed shows negative (a credit)."""
    postings = Posting.objects.filter(account__code=account, counterparty=counterparty)
    if before is not None:
        postings = postings.filter(recorded_at__lt=before)
    return {
        row["currency"]: row["total"]
        for row in postings.values("currency").annotate(total=Sum("amount")).order_by("currency")
        if row["total"]
    }


def record_partner_charge(*, reference, partnership, amount: Money, kind):
    """A charge the partner owes us (positive: our income) or we owe the partner (negative: our
    expense): logistics and warehouse fees, a share of a campaign discount, a return charged back."""
    income_account = {
        "logistics_fee": "logistics_fee_income",
        "warehouse_fee": "warehouse_fee_income",
        "campaign_share": "campaign_share_income",
        "return_chargeback": "return_chargebacks",
        "service_fee": "service_fee_income",
    }.get(kind)
    if income_account is None:
        raise LedgerError(Code.UNKNOWN_ACCOUNT, f"No partner charge of kind {kind!r}.", field="kind")
    amount = _money(amount, "amount")
    other_account = income_account if amount.amount > 0 else "partner_fees"
    return post(
        reference=reference,
        kind=kind,
        entries=[Entry("partner_balance", amount, partnership), Entry(other_account, -amount)],
    )
