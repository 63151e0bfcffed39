"""Ledger and settlement fixtures: a partnership and helpers to post its business events."""

from decimal import Decimal

from djmoney.money import Money

from payments.ledger.services import ledger


def usd(amount):
    return Money(Decimal(str(amount)), "USD")


def cny(amount):
    return Money(Decimal(str(amount)), "CNY")


def sell_partner_goods(partnership, reference, *, shopper="723.00", taxes="65.00", partner="90.00", rate="0.10"):
    """The importer's side of a partner-goods sale (CNY shopper, USD partner)."""
    return ledger.record_partner_goods_sale(
        reference=reference,
        partnership=partnership,
        shopper_amount=cny(shopper),
        taxes=cny(taxes),
        partner_amount=usd(partner),
        commission_rate=Decimal(rate),
    )
