"""Charges between partners: what one platform bills the other outside an order's price (warehouse
storage fees, fulfilment of its consignment stock, the partner's share of a campaign discount,
returned goods charged back). The platform that charges posts it to its ledger and tells the
partner in the same transaction (outbox); the partner posts the mirror image under the same event
reference, so both settlement statements carry the same line with opposite signs."""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder import money
from crossborder.errors import DomainError
from crossborder.services import send_to_partner
from crossborder.terms import TermsError

from ...errors import CheckoutErrorCode, LedgerErrorCode
from ...shop.models import Fulfilment, Order, OrderEvent
from ..amounts import MoneySum
from ..models import LedgerTransaction, Posting
from . import ledger

log = logging.getLogger(__name__)

CHARGE = "charge.notice"
KINDS = ("warehouse_fee", "logistics_fee", "campaign_share", "return_chargeback", "service_fee")


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
                    "amount": str(money.parse_amount(amount.amount, str(amount.currency))),
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
    amount = money.parse_amount(payload["amount"], currency, field="amount")
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

    if (line.taxes_detail or {}).get("markdown"):
        return None  # sold at the aged-stock markdown (larger than the campaign's): the exporter bears it all
    sale = campaigns.record_campaign_sale(listing=line.listing, order_line=line.reference, quantity=line.quantity)
    if sale is None or sale.partner_share.amount <= 0:
        return None
    return charge_partner(
        partnership=line.partnership,
        reference=f"{line.reference}:campaign-share",
        kind="campaign_share",
        amount=sale.partner_share,
    )


def charge_fulfilment_fee(*, line):
    """A paid line of partner goods served from its consignment stock in our warehouse: we pick,
    pack and deliver it (the last leg), and bill the partner the agreement's fee per unit
    (Terms.fulfilment_fee: "fulfilment_per_unit" in "fulfilment_currency" or the settlement
    currency). Lines the partner ships itself (cross-border direct) cost it nothing here. Once per
    line. A bad stored fee is logged for ops and bills nothing: the sale goes on."""
    if not line.is_partner or line.fulfilment != Fulfilment.CONSIGNMENT:
        return None
    try:
        terms = line.partnership.terms.fulfilment_fee()
    except TermsError as exc:
        log.error("partnership %s: %s; no fulfilment fee billed", line.partnership_id, exc.detail)
        return None
    if terms is None:
        return None
    rate, currency = terms
    amount = money.quantize(rate * line.quantity, currency)
    if amount <= 0:
        return None
    return charge_partner(
        partnership=line.partnership,
        reference=f"{line.reference}:fulfilment",
        kind="logistics_fee",
        amount=Money(amount, currency),
    )


def return_chargeback_reference(line):
    return f"{line.reference}:return"


def _credited(line, order):
    """What the sale of this partner line credited the partner, in its currency."""
    credited = (
        Posting.objects.filter(transaction__reference=line.reference, account__code="partner_balance")
        .values("currency")
        .annotate(total=MoneySum("amount"))
    )
    if len(credited) != 1 or credited[0]["total"] >= 0:
        raise DomainError(
            CheckoutErrorCode.ORDER_STATE,
            _("Line %(n)d of order #%(number)s was never paid for (order %(status)s): there is nothing to charge back.")
            % {"n": line.line_number, "number": order.number, "status": order.get_status_display()},
            field="line",
        )
    return money.money(-credited[0]["total"], credited[0]["currency"])


def return_chargeback_amount(*, line, order, quantity, units_before=0, opened=0, kept_percent=Decimal(0)):
    """What the partner gives back for `quantity` returned units of a line, after `units_before`
    units of it were charged back by earlier returns: the sale's credit split per unit by the
    largest-remainder method (so all the line's units together give back exactly the credit, never
    more), less `kept_percent` of the credit of the `opened` units among them (the restocking fee's
    share the agreement lets the partner keep)."""
    shares = money.allocate(_credited(line, order), [1] * line.quantity)[units_before : units_before + quantity]
    amount = sum(shares[1:], shares[0])
    if opened and kept_percent:
        opened_credit = sum(shares[1:opened], shares[0])
        currency = str(amount.currency)
        amount -= money.money(opened_credit.amount * Decimal(kept_percent) / 100, currency)
    return amount


@transaction.atomic
def charge_back_return(
    *, line, quantity=None, reference=None, units_before=0, opened=0, kept_percent=Decimal(0), actor=None
):
    """A shopper sent back `quantity` units (default: all) of an order line of partner goods and was
    refunded: the partner gives back what the sale credited it for those units (the export price
    less our commission, as the sale posted it, in the partner's currency; see
    return_chargeback_amount). Once per `reference` (default: the line's, for a whole line): a
    second charge-back under it is refused and changes nothing. After-sales calls this when it
    refunds a return (aftersales.returns.services.returns), one reference per returned line."""
    if not line.is_partner:
        raise DomainError(
            CheckoutErrorCode.ORDER_STATE,
            _("Line %(n)d of order #%(number)s is our own goods: there is no partner to charge back.")
            % {"n": line.line_number, "number": line.order.number},
            field="line",
        )
    quantity = line.quantity if quantity is None else quantity
    if not isinstance(quantity, int) or not 1 <= quantity <= line.quantity - units_before:
        raise DomainError(
            CheckoutErrorCode.INVALID_QUANTITY,
            _("A return of line %(n)d is 1 to %(max)d units, not %(quantity)s.")
            % {"n": line.line_number, "max": line.quantity - units_before, "quantity": quantity},
            field="quantity",
        )
    order = Order.objects.select_for_update().get(pk=line.order_id)
    reference = reference or return_chargeback_reference(line)
    if LedgerTransaction.objects.filter(reference=reference).exists():
        raise DomainError(
            CheckoutErrorCode.ORDER_STATE,
            _("Line %(n)d of order #%(number)s was already charged back to the partner.")
            % {"n": line.line_number, "number": order.number},
            field="line",
        )
    amount = return_chargeback_amount(
        line=line, order=order, quantity=quantity, units_before=units_before, opened=opened, kept_percent=kept_percent
    )
    posted = charge_partner(partnership=line.partnership, reference=reference, kind="return_chargeback", amount=amount)
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.RETURN_CHARGED_BACK,
        status=order.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        detail={
            "line": line.line_number,
            "quantity": quantity,
            "amount": str(amount.amount),
            "currency": str(amount.currency),
        },
    )
    return posted
