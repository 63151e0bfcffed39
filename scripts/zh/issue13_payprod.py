"""Simplified Chinese for issue 13 (payments in production, webhook content): webhook refusals."""

ZH = {
    "The webhook's %(field)s is not an amount: %(value)s.": "webhook 的 %(field)s 不是金额：%(value)s。",
    "The webhook's %(field)s %(value)s does not fit the payment of %(amount)s %(currency)s.": (
        "webhook 的 %(field)s %(value)s 与 %(amount)s %(currency)s 的支付不符。"
    ),
    "The webhook's %(field)s does not match the payment of %(amount)s %(currency)s.": (
        "webhook 的 %(field)s 与 %(amount)s %(currency)s 的支付不一致。"
    ),
    "The webhook's refund of %(value)s %(currency)s does not match the refund asked or what is left.": (
        "webhook 中 %(value)s %(currency)s 的退款与所申请的退款或剩余可退金额不符。"
    ),
    "The webhook body cannot be read.": "无法读取 webhook 正文。",
}
