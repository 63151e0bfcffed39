"""Charges between partners: what one platform bills the other outside an order's price (warehouse
storage fees, the partner's share of a campaign discount, later return charge-backs). The platform
that charges posts it to its ledger and tells the partner in the same transaction (outbox); the
partner posts the mirror image under the same event reference, so both settlement statements carry
the same line with opposite signs."""

from decimal import Decimal

from django.db import transaction
from djmoney.money import Money

from crossborder.errors import DomainError
from crossborder.services import send_to_partner

from ..errors import LedgerErrorCode
from ..models import LedgerTransaction
from . import ledger

CHARGE = "ledger.charge"
KINDS = ("warehouse_fee", "logistics_fee", "campaign_share", "return_chargeback")


def charge_partner(*, partnership, reference, kind, amount: Money):
    """Bill the partner `amount` (positive): post it and queue the message, once per reference."""
    if kind not in KINDS:
        raise DomainError(LedgerErrorCode.UNKNOWN_ACCOUNT, f"No partner charge of kind {kind!r}.", field="kind")
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise DomainError(LedgerErrorCode.INVALID_AMOUNT, "A charge is a positive amount.", field="amount")
    with transaction.atomic():
        first_time = not LedgerTransaction.objects.filter(reference=reference).exists()
        posted = ledger.record_partner_charge(reference=reference, partnership=partnership, amount=amount, kind=kind)
        if first_time and partnership.is_live:
            send_to_partner(
                partnership,
                CHARGE,
                {
                    "reference": reference,
                    "kind": kind,
                    "amount": str(ledger.checked_amount(amount.amount, str(amount.currency))),
                    "currency": str(amount.currency),
                },
            )
    return posted


def receive_charge(*, partnership, payload):
    """The partner billed us: we owe it the amount, posted under its reference. A repeat is harmless."""
    if payload["kind"] not in KINDS:
        raise DomainError(
            LedgerErrorCode.UNKNOWN_ACCOUNT, f"No partner charge of kind {payload['kind']!r}.", field="kind"
        )
    currency = payload["currency"]
    amount = ledger.checked_amount(payload["amount"], currency, field="amount")
    if amount <= 0:
        raise DomainError(LedgerErrorCode.INVALID_AMOUNT, "A charge is a positive amount.", field="amount")
    return ledger.record_partner_charge(
        reference=payload["reference"], partnership=partnership, amount=Money(-amount, currency), kind=payload["kind"]
    )


def book_storage_fee(accrual):
    """logistics.hooks.fee_accrued: a night's storage fee of the partner's consignment stock."""
    if accrual.amount.amount <= Decimal(0):
        return None
    return charge_partner(
        partnership=accrual.partnership, reference=accrual.reference, kind="warehouse_fee", amount=accrual.amount
    )


def charge_campaign_share(*, line):
    """The partner's share of a campaign discount on a paid order line of its goods, if any."""
    from partner_zone.services import campaigns

    sale = campaigns.record_campaign_sale(listing=line.listing, order_line=line.reference, quantity=line.quantity)
    if sale is None or sale.partner_share.amount <= 0:
        return None
    return charge_partner(
        partnership=line.partnership,
        reference=f"{line.reference}:campaign-share",
        kind="campaign_share",
        amount=sale.partner_share,
    )
