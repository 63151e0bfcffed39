"""Simplified Chinese for the typed partnership terms (issue 14)."""

ZH = {
    "an amount of at least 0 with at most 4 decimals": "不小于 0、最多 4 位小数的金额",
    "a rate from 0 to 1 with at most 4 decimals": "0 到 1 之间、最多 4 位小数的比率",
    "a percent from 0 to 100 with at most 2 decimals": "0 到 100 之间、最多 2 位小数的百分比",
    "an ISO 4217 currency code such as USD": "ISO 4217 货币代码，例如 USD",
    "true or false": "true 或 false",
    'whole days such as [90, 180] or "90,180"': '整数天数，例如 [90, 180] 或 "90,180"',
    "Terms must be an object.": "条款必须是一个对象。",
    "Settlement currency must be an ISO 4217 code.": "结算货币必须是 ISO 4217 代码。",
    "Commission rate must be between 0 and 1 with at most 4 decimals.": "佣金率必须在 0 到 1 之间，最多 4 位小数。",
    "Category scope must be a list of taxonomy IDs.": "品类范围必须是分类 ID 列表。",
    "Bad time or date in terms: %(error)s": "条款中的时间或日期有误：%(error)s",
    "The partnership cannot end before it starts.": "合作不能在开始之前结束。",
    "The fee schedule must map fee names to amounts.": "费用表必须把费用名称对应到金额。",
    "The fee schedule has an unknown term %(key)r; known terms: %(known)s.": (
        "费用表含有未知条款 %(key)r；已知条款：%(known)s。"
    ),
    "The fee schedule's %(key)s is %(value)r; expected %(expected)s.": (
        "费用表的 %(key)s 为 %(value)r；应为%(expected)s。"
    ),
    "The terms of the partnership with %(partner)s: %(problem)s": "与 %(partner)s 的合作条款：%(problem)s",
    "Unknown fee term; known: %(known)s.": "未知的费用条款；已知条款：%(known)s。",
}
