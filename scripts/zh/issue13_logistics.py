"""Simplified Chinese for issue 13, items 10 to 12: shipment notices checked against the mirrored
catalog, markdowns of aged stock in the partner zone, forwarded orders shipped by the exporter."""

ZH = {
    # --- shipment notices ---
    "No check of the partner's offered catalog is installed; the notice cannot be recorded.": (
        "未安装伙伴供货目录的核对，无法记录此到货通知。"
    ),
    # --- markdowns of aged stock ---
    "%(sku)s is priced %(percent)d%% lower in the partner zone for %(units)d units.": (
        "%(sku)s 在伙伴专区降价 %(percent)d%%，共 %(units)d 件。"
    ),
    "No partner zone is installed to lower the price of %(sku)s; the markdown is not carried out.": (
        "未安装伙伴专区，无法降低 %(sku)s 的价格；降价未执行。"
    ),
    "aged-stock action": "库龄处理",
    "units marked down": "降价件数",
    "units sold at the markdown": "按降价售出的件数",
    "markdown of aged stock": "库龄商品降价",
    "markdowns of aged stock": "库龄商品降价",
    "The markdown of %(sku)s cannot lower its price in our zone: %(reason)s": (
        "%(sku)s 的降价无法在本专区生效：%(reason)s"
    ),
    "no listing of %(partner)s in our zone offers it.": "本专区中 %(partner)s 没有提供它的商品。",
    "the listing has no price.": "该商品没有价格。",
    "the listing does not ship from our warehouse (no sellable consignment units).": (
        "该商品不从本仓库发货（没有可售的寄售库存）。"
    ),
    "a larger discount already applies.": "已有更大的折扣。",
    # --- forwarded orders: the exporter ships ---
    "Handed to the carrier": "已交承运商",
    "the partner ships it from our consignment stock": "由伙伴从我方寄售库存发货",
    "awaiting stock": "待备货",
    "line": "订单行",
    "the line's name on both platforms": "该行在双方平台上的名称",
    "our product": "我方商品",
    "problem": "问题",
    "line of an order from a partner": "伙伴转来订单的行",
    "lines of orders from partners": "伙伴转来订单的行",
    "%(carrier)s is not one of our carriers (%(known)s).": "%(carrier)s 不是我方的承运商（%(known)s）。",
    "A tracking number has at most 80 characters.": "运单号最多 80 个字符。",
    "No such line of your goods.": "没有您商品的这一订单行。",
    "tracking": "物流跟踪",
    "lines we ship": "由我方发货的行",
    "ship to": "收货人",
    "(the partner delivers from our consignment stock)": "（由伙伴从我方寄售库存配送）",
    "Allocate our stock to lines awaiting it": "为待备货的行分配我方库存",
    "%(n)d line(s) allocated.": "已分配 %(n)d 行。",
    "Pick our lines": "拣货（我方发货的行）",
    "%(n)d line(s) picked.": "已拣货 %(n)d 行。",
    "Pack our lines (picking them first)": "打包（我方发货的行，先拣货）",
    "%(n)d line(s) packed.": "已打包 %(n)d 行。",
    "Ship our lines with the chosen carrier (tracking and status go to the partner)": (
        "用所选承运商发货（物流跟踪和状态发给伙伴）"
    ),
    "%(n)d line(s) shipped.": "已发货 %(n)d 行。",
    "Shipped: the partner gets the tracking.": "已发货：伙伴会收到物流跟踪。",
    "Nothing to ship: the line awaits stock or has left already.": "无可发货：该行待备货或已发出。",
    "Orders from partners": "伙伴转来的订单",
    "Your goods a partner sold cross-border direct: ship each line to the partner's shopper. The partner gets "
    "the carrier, the tracking number and the line's status.": (
        "伙伴以跨境直邮售出的您的商品：请将每一行发给伙伴的顾客。伙伴会收到承运商、运单号和该行的状态。"
    ),
    "Ship to": "收货人",
    "Tracking number (if booked already)": "运单号（如已自行下单）",
    "Ship": "发货",
    "No partner has forwarded an order for your goods yet.": "还没有伙伴转来您商品的订单。",
}
