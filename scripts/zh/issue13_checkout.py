"""Simplified Chinese for issue 13's checkout part: a busy database, the limits on unpaid holds per
shopper, the shop API's request rate."""

ZH = {
    "The shop is very busy right now and nothing was changed: please try again in a moment.": (
        "店铺现在非常繁忙，未做任何更改：请稍后再试。"
    ),
    "You already have %(count)d unpaid orders: at most %(max)d may wait for payment at once. "
    "Pay for one, or wait for it to lapse, then order again.": (
        "您已有 %(count)d 笔未付款订单：同时最多 %(max)d 笔可等待付款。请先支付其中一笔，或等其失效后再下单。"
    ),
    "At most %(max)d units of %(title)s may be held unpaid by one shopper; with this order you would hold "
    "%(count)d. Pay for your earlier orders or lower the quantity.": (
        "每位顾客最多可未付款保留 %(max)d 件%(title)s；加上本单您将保留 %(count)d 件。请先支付之前的订单或减少数量。"
    ),
    "Too many requests from this client: at most %(rate)s.": "此客户端请求过多：最多 %(rate)s。",
    "client IP address": "客户端 IP 地址",
}
