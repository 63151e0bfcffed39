"""Merchant money's subscriptions: a paid line of a merchant's goods credits the merchant, and a
reconciled settlement batch credits our merchants with their goods the partner sold."""

from .. import hooks
from ..merchants import services as merchant_money


@hooks.own_goods_sold.subscribe
def credit_merchant_for_home_sale(*, line):
    merchant_money.credit_home_sale(line=line)


@hooks.settlement_reconciled.subscribe
def credit_merchants_for_sales_abroad(*, batch):
    merchant_money.credit_settled_sales(batch=batch)


@hooks.own_goods_sale_cancelled.subscribe
def reverse_merchant_credit_of_cancelled_sale(*, line, reason, actor=None):
    merchant_money.reverse_home_sale(line=line, reason=reason, actor=actor)
