"""Simplified Chinese for the partner zone's pages: the zone header, landing, listings, product page
with the landed-cost breakdown, and the zone entrances and partner strips on the home pages."""

ZH = {
    # --- zone header and landing ---
    "Partner zone": "伙伴专区",
    "Partner zones": "伙伴专区",
    "from %(country)s": "来自%(country)s",
    "Search %(name)s": "搜索 %(name)s",
    "Search in %(name)s": "在 %(name)s 中搜索",
    "Prices in %(currency)s, delivered": "到手价，以%(currency)s计",
    "%(percent)s%% off": "立减 %(percent)s%%",
    "until %(date)s": "截至 %(date)s",
    "Campaign": "活动",
    "Goods from our partner platform in %(country)s, priced in %(currency)s with duties, taxes and shipping "
    "worked out for you.": "来自我们在%(country)s的合作平台的商品，以%(currency)s标价，关税、税费和运费都已为你算好。",
    "New in this zone": "专区新品",
    "The partner's goods arrive here as its catalog is mirrored.": "伙伴的商品目录同步后会显示在这里。",
    # --- cards and listings ---
    "Local warehouse": "本地仓发货",
    "Price not available": "暂无价格",
    "Ships from": "发货地",
    "Price (%(currency)s)": "价格（%(currency)s）",
    "Ships from our local warehouse": "本地仓发货",
    "Category": "类目",
    "Results for “%(query)s” in %(name)s": "在 %(name)s 中搜索“%(query)s”的结果",
    # --- product page ---
    "Sold by %(name)s, our partner in %(country)s": "由我们在%(country)s的合作伙伴 %(name)s 销售",
    "Delivered price: duties, import taxes and shipping included.": "到手价：已含关税、进口税和运费。",
    "Shipping included; duties and import taxes are added at checkout.": "已含运费；关税和进口税在结算时另加。",
    "What the price is made of": "价格构成",
    "Duties and taxes": "关税和税费",
    "%(amount)s, included": "%(amount)s，已包含",
    "%(amount)s, added at checkout": "%(amount)s，结算时另加",
    "You pay": "实付",
    "We cannot work out this product's delivered price at the moment, so it cannot be ordered.": (
        "暂时无法计算这件商品的到手价，因此暂不可下单。"
    ),
    "Ships from our local warehouse: %(days)s days": "本地仓发货：%(days)s 天送达",
    "Cross-border direct from the partner: %(days)s days": "伙伴跨境直邮：%(days)s 天送达",
    "Cross-border direct from the partner": "伙伴跨境直邮",
    "Available to order": "可以下单",
    "Not available to order": "暂不可下单",
    "Shown in the original language (%(language)s).": "以原文（%(language)s）显示。",
    "Details": "商品信息",
    "Country of origin": "原产国",
    "Weight": "重量",
    "HS code": "HS 编码",
    "Goods": "商品",
    "Import duties": "进口关税",
    "Import VAT": "进口增值税",
    "Consumption tax": "消费税",
    "Shipping": "运费",
    "Service fees": "服务费",
    "Rounding": "价格取整",
    "Campaign discount": "活动优惠",
    "added at checkout": "结算时另加",
    # --- on the home pages ---
    "From our partner in %(country)s": "来自我们在%(country)s的合作伙伴",
    "Delivered prices in %(currency)s, duties and taxes worked out": "以%(currency)s显示到手价，关税税费已算好",
    "Enter the zone": "进入专区",
    "No partner zone is open at the moment.": "目前没有开放的伙伴专区。",
    "%(name)s's goods, delivered to you; prices in %(currency)s include shipping.": (
        "%(name)s 的商品送货到家；%(currency)s价格已含运费。"
    ),
    "See more in the partner zone": "去伙伴专区看更多",
}
