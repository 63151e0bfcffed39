"""Chinese translations of the messages issue 14's money tools added (crossborder/money.py)."""

ZH = {
    "%(field)s is not a finite decimal amount: %(value)s.": "%(field)s 不是有限的十进制金额：%(value)s。",
    "%(field)s %(amount)s is too large: an amount stays below %(limit)s.": "%(field)s %(amount)s 过大：金额须小于 %(limit)s。",
    "Allocation needs non-negative weights that are not all zero.": "分摊需要非负且不全为零的权重。",
}
