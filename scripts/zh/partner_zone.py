"""Simplified Chinese for the partner zone's admin, models and services, recommendations, and a few catalog strings."""

ZH = {
    # --- admin: campaigns, pricing, sync ---
    "Accept the selected campaigns (with their localisation)": "接受所选活动（连同本地化内容）",
    "%(count)d campaign accepted.": "已接受 %(count)d 个活动。",
    "Decline the selected campaigns": "拒绝所选活动",
    "Declined by our operations team.": "已被我方运营团队拒绝。",
    "%(count)d campaign declined.": "已拒绝 %(count)d 个活动。",
    "%(count)d listing repriced.": "已重新定价 %(count)d 件伙伴商品。",
    "Rates": "税率",
    "Limits": "限额",
    "rejected items": "被拒绝的条目",
    # --- models: partner listings ---
    "our local warehouse": "我方本地仓",
    "cross-border direct from the partner": "伙伴跨境直邮",
    "changed at the partner": "伙伴端修改时间",
    "language -> {title, description}": "语言 -> {title, description}",
    "in the home language, else the original": "优先使用本站语言，否则为原文",
    "consignment units in our warehouses": "我方仓库中的寄售件数",
    "absolute URLs at the partner": "伙伴平台上的绝对 URL",
    "price before campaign": "活动前价格",
    "partner listing": "伙伴商品",
    "partner listings": "伙伴商品",
    # --- models: catalog sync runs ---
    "running": "运行中",
    "succeeded": "成功",
    "failed": "失败",
    "interrupted": "已中断",
    "the watermark this run started from": "本次运行的起始水位线",
    "where an interrupted run resumes": "中断后从此处继续",
    "where the next run starts": "下次运行从此处开始",
    "[{id, reason}] of rejected items": "被拒绝条目的 [{id, reason}]",
    "catalog sync run": "商品目录同步记录",
    "catalog sync runs": "商品目录同步记录",
    # --- models: pricing ---
    "European Central Bank reference rate": "欧洲央行参考汇率",
    "entered by ops": "运营手动录入",
    "valid from": "生效时间",
    "exchange rate": "汇率",
    "exchange rates": "汇率",
    "rounding rule": "价格取整规则",
    "rounding rules": "价格取整规则",
    "China cross-border e-commerce retail import": "中国跨境电商零售进口",
    "general trade": "一般贸易",
    "United States": "美国",
    "importing country": "进口国",
    "HS code prefix": "HS 编码前缀",
    "share of VAT and consumption tax payable under the CBEC regime": "跨境电商零售进口模式下应缴增值税和消费税的比例",
    "per-transaction limit": "单次交易限值",
    "annual limit per shopper": "个人年度交易限值",
    "de minimis value": "免税额度",
    "duty rule": "关税规则",
    "duty rules": "关税规则",
    # --- models: festival campaigns ---
    "festival": "购物节",
    "festivals": "购物节",
    "festival date": "购物节日期",
    "festival dates": "购物节日期",
    "partner's title": "伙伴方标题",
    "our title": "我方标题",
    "banner text": "横幅文案",
    "agreed discount %": "商定优惠幅度 %",
    "partner's share of the discount %": "伙伴承担的优惠比例 %",
    "campaign": "活动",
    "campaigns": "活动",
    "campaign sale": "活动销售记录",
    "campaign sales": "活动销售记录",
    # --- models: shoppers' history ---
    "viewed": "浏览",
    "searched": "搜索",
    "shopper event": "买家行为记录",
    "shopper events": "买家行为记录",
    # --- services: campaigns ---
    "%(field)s must be a number from 0 to %(high)s, not %(value)r.": (
        "%(field)s 必须是 0 到 %(high)s 之间的数字，而不是 %(value)r。"
    ),
    "%(field)s has at most two decimals.": "%(field)s 最多保留两位小数。",
    "%(field)s must be a date YYYY-MM-DD, not %(value)r.": "%(field)s 必须是 YYYY-MM-DD 格式的日期，而不是 %(value)r。",
    "Unknown festival %(key)r.": "未知购物节 %(key)r。",
    "A campaign needs a title of at most 200 characters.": "活动必须有标题，且不超过 200 个字符。",
    "The campaign ends (%(ends)s) before it starts (%(starts)s).": (
        "活动结束日期（%(ends)s）早于开始日期（%(starts)s）。"
    ),
    "The partner's share of the discount (%(share)s%%) is above the agreed %(max)s%%.": (
        "伙伴承担的优惠比例（%(share)s%%）高于约定的 %(max)s%%。"
    ),
    "The discount (%(discount)s%%) is above the agreed maximum of %(max)s%%.": (
        "优惠幅度（%(discount)s%%）高于约定上限 %(max)s%%。"
    ),
    "Campaigns go only to live partnerships.": "只能向合作中的伙伴发起活动。",
    "Products are named by their reference (a UUID).": "商品须以其引用编号（UUID）指定。",
    "A campaign names 1 to %(max)s products.": "一个活动须包含 1 到 %(max)s 件商品。",
    "Unknown products: %(refs)s.": "未知商品：%(refs)s。",
    "We proposed no campaign %(reference)s.": "我方未提议过活动 %(reference)s。",
    "The discount (%(discount)s%%) cannot exceed the partner's suggested %(suggested)s%%.": (
        "优惠幅度（%(discount)s%%）不能超过伙伴建议的 %(suggested)s%%。"
    ),
    "The campaign is %(status)s; this needs it %(allowed)s.": "活动当前状态为%(status)s；此操作要求状态为%(allowed)s。",
    "Our title has at most 200 characters.": "我方标题最多 200 个字符。",
    "The banner text has at most 300 characters.": "横幅文案最多 300 个字符。",
    "Say why the campaign is declined.": "请说明拒绝该活动的原因。",
    # --- services: pricing (exchange rates, ECB file, duties and taxes) ---
    "No exchange rate from %(base)s to %(quote)s (directly, inverted or through EUR).": (
        "没有从 %(base)s 到 %(quote)s 的汇率（直接汇率、反向汇率和经欧元套算均没有）。"
    ),
    "The ECB rate file is invalid: %(reason)s": "欧洲央行汇率文件无效：%(reason)s",
    "a DTD or entity declaration is not allowed": "不允许包含 DTD 或实体声明",
    "not well-formed XML (%(error)s)": "XML 格式不正确（%(error)s）",
    "the root element is not a gesmes:Envelope": "根元素不是 gesmes:Envelope",
    "no Cube element with a time": "没有带 time 属性的 Cube 元素",
    "the date %(time)r is not YYYY-MM-DD": "日期 %(time)r 不是 YYYY-MM-DD 格式",
    "%(currency)r on %(date)s is not a currency code": "%(date)s 的 %(currency)r 不是币种代码",
    "the %(currency)s rate %(rate)r on %(date)s is not a positive number": (
        "%(date)s 的 %(currency)s 汇率 %(rate)r 不是正数"
    ),
    "the file holds no rates": "文件中没有汇率",
    "Cross-border e-commerce retail import: no tariff; %(share)s%% of import VAT (%(vat)s%%) and consumption tax "
    "(%(ct)s%%).": "跨境电商零售进口：关税为 0；进口增值税（%(vat)s%%）和消费税（%(ct)s%%）按 %(share)s%% 征收。",
    "At or below the de minimis value of %(limit)s: no duty or import tax.": (
        "未超过免税额度 %(limit)s：免征关税和进口税。"
    ),
    "%(regime)s: duty %(duty)s%%, import VAT %(vat)s%%, consumption tax %(ct)s%%.": (
        "%(regime)s：关税 %(duty)s%%，进口增值税 %(vat)s%%，消费税 %(ct)s%%。"
    ),
    "No duty rule of %(country)s matches HS code %(hs)s.": "%(country)s 没有与 HS 编码 %(hs)s 匹配的关税规则。",
    "The agreement's fee schedule has an invalid %(name)s: %(value)r.": "合作协议费用表中的 %(name)s 无效：%(value)r。",
    # --- services and template tags: recommendations ---
    "Because you searched “%(query)s”": "因为你搜索过“%(query)s”",
    "Because you viewed “%(title)s”": "因为你看过“%(title)s”",
    "More from %(category)s, which you browsed": "你浏览过的%(category)s，还有更多",
    "We don't carry %(category)s ourselves": "本站暂无%(category)s类商品",
    "Popular in the partner zone": "伙伴专区热卖",
    "Recommended for you from our partners": "为你推荐：合作伙伴好物",
    "Similar goods from our partners": "合作伙伴的相似商品",
    "From our partners: goods we don't carry": "来自合作伙伴：本站没有的商品",
    "Your browsing and search history is cleared.": "你的浏览和搜索记录已清除。",
    "Clear my browsing history": "清除我的浏览记录",
    # --- services: catalog sync (reasons an item of the partner's feed is rejected) ---
    "no title in any language": "没有任何语言的标题",
    "%(field)s is missing or not text": "%(field)s 缺失或不是文本",
    "%(field)s is longer than %(max)d characters": "%(field)s 超过 %(max)d 个字符",
    "%(field)s must be a whole number of at least %(min)d": "%(field)s 必须是不小于 %(min)d 的整数",
    "export_price is missing": "缺少 export_price",
    "export_price amount is not a decimal number": "export_price 的金额不是十进制数",
    "export_price must be more than zero, not %(amount)s": "export_price 必须大于零，而不是 %(amount)s",
    "export_price %(amount)s has more than two decimals or is too large": (
        "export_price %(amount)s 超过两位小数或数值过大"
    ),
    "export_price currency %(currency)s is not one the agreement names (%(allowed)s)": (
        "export_price 的币种 %(currency)s 不是协议约定的币种（%(allowed)s）"
    ),
    "texts are missing": "缺少 texts",
    "the %(language)s text has no title": "%(language)s 文案没有标题",
    "the %(language)s text is malformed": "%(language)s 文案格式不正确",
    "variants must be a list of objects with a sku": "variants 必须是包含 sku 的对象列表",
    "images must be a list of absolute http(s) URLs": "images 必须是由绝对 http(s) URL 组成的列表",
    "changed_at is not a timestamp with its UTC offset": "changed_at 不是带 UTC 偏移的时间戳",
    "category.taxonomy_id is missing": "缺少 category.taxonomy_id",
    "unknown taxonomy id %(id)s": "未知类目 ID %(id)s",
    "merchant is missing": "缺少 merchant",
    "hs_code must be six digits, not %(value)r": "hs_code 必须是 6 位数字，而不是 %(value)r",
    "country_of_origin %(value)r is not an ISO 3166 country code": (
        "country_of_origin %(value)r 不是 ISO 3166 国家代码"
    ),
    "dimensions_mm must be an object": "dimensions_mm 必须是对象",
    "the entry is not an object": "该条目不是对象",
    "id is not a UUID": "id 不是 UUID",
    "version must be a whole number": "version 必须是整数",
    "Only an active partnership's catalog is synced; this one is %(status)s.": (
        "只同步合作中的伙伴的商品目录；该合作关系当前状态为%(status)s。"
    ),
    "A sync of this partnership is already running.": "该合作关系的同步已在运行中。",
    "abandoned: the run did not finish within %(seconds)d seconds": "已放弃：本次运行未在 %(seconds)d 秒内完成",
    "this run was taken for dead and another one took over": "本次运行被判定为失效，已由另一次运行接管",
    # --- catalog storefront and merchant area ---
    "Any status": "全部状态",
    "path (English)": "路径（英文）",
    "name (English)": "名称（英文）",
    "name (Chinese)": "名称（中文）",
    "archived": "已归档",
    "status": "状态",
    "language": "语言",
    "Remove %(name)s": "移除 %(name)s",
    "switch": "切换",
    "Export price (%(currency)s)": "出口报价（%(currency)s）",
    "Offered to partners": "报价伙伴数",
    "our copies of the images, in order (when cached)": "本站缓存的图片副本（按顺序）",
}
