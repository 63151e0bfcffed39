"""Return charge-backs in the order admin."""

ZH = {
    "Charge returned partner goods back to the partner (whole lines)": "将退回的伙伴商品向伙伴追回货款（整行）",
    "A return of line %(n)d is 1 to %(max)d units, not %(quantity)s.": "第 %(n)d 行的退货数量应为 1 至 %(max)d 件，而不是 %(quantity)s。",
}
ZH.update(
    {
        "%(n)d line(s) charged back.": "已追回 %(n)d 行货款。",
        "returned goods charged back to the partner": "退回商品已向伙伴追回货款",
    }
)
