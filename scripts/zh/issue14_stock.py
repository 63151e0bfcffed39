"""Simplified Chinese for issue 14's one stock truth: a merchant's stated stock counted by the stock service."""

ZH = {
    "%(platform)s warehouse": "%(platform)s 仓库",
    "%(sku)s has %(units)d units for sale in other warehouses: state at least that many.": (
        "%(sku)s 在其他仓库还有 %(units)d 件可售：填写的库存不能少于这个数。"
    ),
    "stock stated by the merchant": "商家填写的库存",
    "stated by merchant %(merchant)s": "由商家 %(merchant)s 填写",
}
