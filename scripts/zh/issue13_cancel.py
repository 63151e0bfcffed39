"""Simplified Chinese for cancelling orders and for orders of suspended partners (issue 13)."""

ZH = {
    # --- the cancellation service ---
    "Order %(number)s cannot be cancelled: some of its goods have already shipped. "
    "Once they arrive, ask for a return instead.": "订单 %(number)s 无法取消：部分商品已经发货。请在收货后申请退货。",
    "Order %(number)s has shipped and cannot be cancelled. Once it arrives, ask for a return instead.": (
        "订单 %(number)s 已发货，无法取消。请在收货后申请退货。"
    ),
    "Order %(number)s is %(status)s and cannot be cancelled.": "订单 %(number)s 状态为%(status)s，无法取消。",
    "Order %(number)s lapsed unpaid: there is nothing to cancel.": "订单 %(number)s 因未付款已失效：无需取消。",
    "order %(number)s cancelled": "订单 %(number)s 已取消",
    "cancelled by %(partner)s: %(reason)s": "由 %(partner)s 取消：%(reason)s",
    "already shipped when the cancellation arrived": "收到取消通知时已经发货",
    "The reason contains control characters.": "原因中含有控制字符。",
    # --- suspended partners ---
    "Order %(number)s holds goods of %(partner)s, whose partnership with us is suspended: it cannot be "
    "paid for now. It stays reserved until its payment is due; if the partnership resumes before then, "
    "you can pay it.": (
        "订单 %(number)s 含有 %(partner)s 的商品，而我们与其的合作已暂停：目前无法付款。"
        "商品将保留至付款截止时间；如果合作在此之前恢复，您仍可付款。"
    ),
    "The partnership with %(partner)s was suspended before your payment arrived: the order is cancelled "
    "and your payment released.": "在您的付款到达之前，与 %(partner)s 的合作已暂停：订单已取消，您的付款已释放。",
    "our partner": "合作伙伴",
    # --- admin ---
    "Cancel orders not yet shipped (stock back, shopper refunded, partners told)": (
        "取消尚未发货的订单（库存退回、向顾客退款、通知合作伙伴）"
    ),
    "cancelled by our staff": "由我方工作人员取消",
    "%(n)d order(s) cancelled.": "已取消 %(n)d 个订单。",
    # --- order page ---
    "This order was cancelled and %(amount)s was refunded to the way you paid.": (
        "此订单已取消，%(amount)s 已按原支付方式退回。"
    ),
    "This order was cancelled. Your refund is under way: it shows here once the payment provider confirms it.": (
        "此订单已取消。退款正在处理中：支付服务商确认后将在此显示。"
    ),
    "This order was cancelled and the payment released: nothing was charged.": "此订单已取消，付款已释放：未扣任何费用。",
    "This order was cancelled. Nothing was charged.": "此订单已取消。未扣任何费用。",
    "Cancel order": "取消订单",
    # --- confirmation page ---
    "Cancel order %(number)s": "取消订单 %(number)s",
    "Cancel order %(number)s?": "确定取消订单 %(number)s 吗？",
    "This order is already cancelled.": "此订单已经取消。",
    "Your goods will no longer be sent, and the %(total)s you paid goes back the way you paid.": (
        "您的商品将不再发出，您支付的 %(total)s 将按原支付方式退回。"
    ),
    "Your goods will no longer be held for you, and nothing will be charged.": "您的商品将不再为您保留，也不会扣任何费用。",
    "Why are you cancelling? (optional)": "取消原因（选填）",
    "Yes, cancel the order": "确定取消订单",
    "Back to the order": "返回订单",
}
