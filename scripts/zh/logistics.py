"""Simplified Chinese for logistics: stock, first-leg consignments, receiving, last leg, handoffs, aged stock."""

ZH = {
    # --- admin: ageing ---
    "side": "所属方",
    "partner's goods held here": "本仓代管的伙伴货物",
    "our goods abroad": "我方海外货物",
    "partner": "伙伴",
    "held here": "本仓代管",
    "ours abroad": "我方海外",
    "%(n)d proposal made or agreed.": "已提出或同意 %(n)d 项提议。",
    "Markdown: propose it (held here) or agree to it (ours abroad)": "降价促销：提议（本仓代管）或同意（我方海外）",
    "Return: propose it (held here) or agree to it (ours abroad)": "退回：提议（本仓代管）或同意（我方海外）",
    "Liquidation: propose it (held here) or agree to it (ours abroad)": "清仓：提议（本仓代管）或同意（我方海外）",
    "Reject the partner's proposal (ours abroad)": "拒绝伙伴的提议（我方海外）",
    "%(n)d proposal rejected.": "已拒绝 %(n)d 项提议。",
    "Carry out agreed actions (held here)": "执行已同意的处理（本仓代管）",
    "%(n)d action carried out.": "已执行 %(n)d 项处理。",
    # --- admin: stock, discrepancies, consignments ---
    "owner": "货主",
    "own": "自有",
    "sellable": "可售",
    "Mark the selected discrepancies resolved": "将所选差异标记为已解决",
    "%(n)d discrepancy resolved.": "已解决 %(n)d 条差异。",
    "reference": "单号",
    "lines": "行数",
    "units": "件数",
    "staff page": "员工页面",
    "open": "待处理",
    "link to a page\x04open": "打开",
    "shipment action\x04Pack": "打包",
    "Send the advance shipment notice": "发送发货通知",
    "%(n)d notice sent.": "已发送 %(n)d 份发货通知。",
    # --- admin: handoff reports ---
    "first lines": "前几行",
    "… and %(n)d more lines": "……另有 %(n)d 行",
    "oldest unit": "最长库龄",
    "older than 90 days": "超过 90 天",
    "older than 180 days": "超过 180 天",
    "on hand vs expected": "在库与预期对比",
    "differs": "不一致",
    "agrees": "一致",
    # --- admin: last leg ---
    "warehouse": "仓库",
    "Pick (take the units off the shelves)": "拣货（从货架取下商品）",
    "%(n)d shipment picked.": "已拣货 %(n)d 个配送单。",
    "%(n)d shipment packed.": "已打包 %(n)d 个配送单。",
    "Ship (book the default carrier)": "发货（预约默认承运商）",
    "%(n)d shipment shipped.": "已发货 %(n)d 个配送单。",
    "Cancel (units back to sale)": "取消（商品恢复可售）",
    "%(n)d shipment cancelled.": "已取消 %(n)d 个配送单。",
    "Release (units back to sale)": "释放（商品恢复可售）",
    "%(n)d reservation released.": "已释放 %(n)d 个预留。",
    "Logistics": "物流",
    # --- carriers ---
    "Accepted at the depot": "网点已揽收",
    "In transit": "运输中",
    "Out for delivery": "派送中",
    "Delivered": "已签收",
    "No carrier %(code)s; this platform ships with: %(known)s.": "没有承运商 %(code)s；本平台可用的承运商：%(known)s。",
    # --- partner API ---
    "Each SKU may appear on one line only.": "每个 SKU 只能出现在一行中。",
    # --- models ---
    "operator": "运营方",
    "Who runs it (us or a 3PL)": "由谁运营（我方或第三方物流）",
    "address": "地址",
    "country": "国家",
    "warehouses": "仓库",
    "partner's product id": "伙伴商品 ID",
    "on hand": "在库",
    "reserved": "已预留",
    "picked": "已拣货",
    "unit weight (g)": "单件重量（克）",
    "stock level": "库存记录",
    "stock levels": "库存记录",
    "reservation released": "预留已释放",
    "shipped": "已发货",
    "returned": "已退回",
    "adjusted": "已调整",
    "written off": "已报损",
    "sent back to owner": "已退还货主",
    "kind": "类型",
    "business event": "业务事件",
    "note": "备注",
    "by": "操作人",
    "stock movement": "库存变动",
    "stock movements": "库存变动",
    "received at": "入库时间",
    "remaining": "剩余",
    "received with": "入库依据",
    "stock lot": "库存批次",
    "stock lots": "库存批次",
    "released": "已释放",
    "expired": "已过期",
    "for": "预留给",
    "order line or checkout": "订单行或结账",
    "reservation": "预留",
    "reservations": "预留",
    "outbound (we export)": "出库（我方出口）",
    "inbound (we receive)": "入库（我方收货）",
    "planned": "已计划",
    "notice sent": "已发送通知",
    "receiving": "收货中",
    "cancelled": "已取消",
    "destination warehouse": "目的仓",
    "carrier": "承运商",
    "tracking number": "运单号",
    "cartons": "箱数",
    "gross weight (g)": "毛重（克）",
    "expected arrival": "预计到达",
    "first-leg cost": "头程费用",
    "consignment": "头程货件",
    "consignments": "头程货件",
    "counted": "清点数",
    "damaged": "破损数",
    "consignment line": "头程货件明细",
    "consignment lines": "头程货件明细",
    "local delivery": "本地配送",
    "cross-border direct": "跨境直邮",
    "allocated": "已分配",
    "packed": "已打包",
    "in transit": "运输中",
    "delivery failed": "配送失败",
    "order line": "订单行",
    "the order line this serves": "此配送单对应的订单行",
    "recipient": "收件人",
    "name, phone, address lines, city, postcode": "姓名、电话、地址行、城市、邮编",
    "shipment": "配送单",
    "shipments": "配送单",
    "tracking event": "轨迹事件",
    "tracking events": "轨迹事件",
    "consignment sales report": "寄售销售报告",
    "stock report": "库存报告",
    "one object per SKU": "每个 SKU 一个对象",
    "handoff report": "交接报告",
    "handoff reports": "交接报告",
    "sold (all reports)": "已售（全部报告）",
    "removed (all reports)": "已移除（全部报告）",
    "expected on hand": "预期在库",
    "received minus sold": "已接收减去已售",
    "goods abroad": "海外货物",
    "stock report differs": "库存报告不符",
    "receipt differs from notice": "收货与发货通知不符",
    "counts differ from movements": "库存数与变动记录不符",
    "resolved": "已解决",
    "discrepancy": "差异",
    "discrepancies": "差异",
    "markdown campaign": "降价促销",
    "return to exporter": "退回出口方",
    "liquidation": "清仓",
    "agreed": "已同意",
    "carried out": "已执行",
    "rejected": "已拒绝",
    "aged stock action": "超龄库存处理",
    "aged stock actions": "超龄库存处理",
    "storage fee accrual": "仓储费计提",
    "storage fee accruals": "仓储费计提",
    "destination": "目的地",
    "up to (g)": "重量上限（克）",
    "express rate": "快递费率",
    "express rates": "快递费率",
    # --- services: ageing ---
    "The fee schedule of the partnership with %(partner)s has %(key)s = %(value)r; expected %(expected)s.": (
        "与 %(partner)s 的合作关系费用表中 %(key)s = %(value)r；应为：%(expected)s。"
    ),
    'days such as "90,180"': '天数，例如 "90,180"',
    "a whole percent from 1 to 99": "1 到 99 之间的整数百分比",
    "A markdown is a whole percent from 1 to 99, not %(value)r.": (
        "降价幅度必须是 1 到 99 之间的整数百分比，不能是 %(value)r。"
    ),
    "The partnership with %(partner)s is %(status)s; aged stock is agreed only with a live one.": (
        "与 %(partner)s 的合作关系状态为“%(status)s”；超龄库存处理只能与未终止的合作关系商定。"
    ),
    "%(sku)s is not consignment stock of %(partner)s.": "%(sku)s 不是 %(partner)s 的寄售库存。",
    "%(sku)s already has an open aged-stock action; wait for its decision.": (
        "%(sku)s 已有一项未决的超龄库存处理；请等待对方决定。"
    ),
    "No units of %(sku)s are older than %(days)d days.": "%(sku)s 没有库龄超过 %(days)d 天的商品。",
    "The action must be one of %(choices)s, not %(value)r.": "处理方式必须是 %(choices)s 之一，不能是 %(value)r。",
    "No aged-stock action %(reference)s of %(side)s.": "%(side)s中没有超龄库存处理 %(reference)s。",
    "goods held here": "本仓代管货物",
    "Aged-stock action %(reference)s is already %(status)s (%(action)s); %(decision)s cannot replace it.": (
        "超龄库存处理 %(reference)s 已是“%(status)s”（%(action)s），不能再改为“%(decision)s”。"
    ),
    "Markdown of %(sku)s handed to the partner zone.": "%(sku)s 的降价促销已交由伙伴专区执行。",
    "%(done)d of %(agreed)d units of %(sku)s carried out; the others are reserved for orders.": (
        "%(sku)s 已同意的 %(agreed)d 件中已执行 %(done)d 件；其余已预留给订单。"
    ),
    "%(done)d units of %(sku)s carried out.": "%(sku)s 已执行 %(done)d 件。",
    "Aged-stock action %(reference)s is about our goods abroad; the partner holding them carries it out.": (
        "超龄库存处理 %(reference)s 涉及我方海外货物，由代管货物的伙伴执行。"
    ),
    "Aged-stock action %(reference)s is %(status)s; only an agreed action is carried out.": (
        "超龄库存处理 %(reference)s 状态为“%(status)s”；只有已同意的处理才能执行。"
    ),
    "None of %(sku)s can be taken now: on hand %(on_hand)d, all reserved for orders.": (
        "%(sku)s 目前无法取出：在库 %(on_hand)d 件，已全部预留给订单。"
    ),
    "Storage fees accrue for days that have begun, not %(day)s.": "仓储费只能为已开始的日期计提，不能是 %(day)s。",
    # --- services: first leg ---
    "The partnership with %(partner)s is %(status)s; consignments go only to an active partner.": (
        "与 %(partner)s 的合作关系状态为“%(status)s”；头程货件只能发往合作有效的伙伴。"
    ),
    "%(field)s has at most %(max)d characters.": "%(field)s 最多 %(max)d 个字符。",
    "A consignment needs at least one line.": "头程货件至少需要一行明细。",
    "Line %(n)d is not a (SKU, quantity) pair.": "第 %(n)d 行不是 (SKU, 数量) 组合。",
    "Line %(n)d has no SKU.": "第 %(n)d 行缺少 SKU。",
    "The first-leg cost must be an amount of money, not negative.": "头程费用必须是金额，且不能为负数。",
    "The first-leg cost must be in %(currency)s, not %(given)s.": (
        "头程费用必须以 %(currency)s 计价，不能是 %(given)s。"
    ),
    "%(sku)s is not one of our SKUs offered to %(partner)s.": "%(sku)s 不是我方向 %(partner)s 供货的 SKU。",
    "No suggestion proposes any units to send.": "没有任何补货建议包含要发送的数量。",
    "Only our outbound consignments have a notice to send.": "只有我方的出库头程货件才需要发送发货通知。",
    "Consignment %(ref)s is %(status)s; its notice cannot be sent.": (
        "头程货件 %(ref)s 状态为“%(status)s”，无法发送其发货通知。"
    ),
    "No active warehouse in %(country)s can receive this consignment (destination %(code)r).": (
        "%(country)s 没有可接收此头程货件的有效仓库（目的地 %(code)r）。"
    ),
    "A notice line has no SKU.": "发货通知中有一行缺少 SKU。",
    "%(sku)s is on the notice twice.": "%(sku)s 在发货通知中出现了两次。",
    "A notice needs at least one line.": "发货通知至少需要一行明细。",
    "%(partner)s never offered us %(skus)s.": "%(partner)s 从未向我方供应 %(skus)s。",
    "Consignment %(ref)s was already notified with other lines; a notice cannot change it.": (
        "头程货件 %(ref)s 已按其他明细通知过；发货通知不能更改它。"
    ),
    "Only inbound consignments are received here.": "此处只对入库头程货件收货。",
    "Consignment %(ref)s is %(status)s; it can no longer be counted.": (
        "头程货件 %(ref)s 状态为“%(status)s”，不能再清点。"
    ),
    "%(sku)s: damaged units (%(damaged)d) cannot be more than counted units (%(counted)d).": (
        "%(sku)s：破损数（%(damaged)d）不能大于清点数（%(counted)d）。"
    ),
    "%(sku)s is not on the notice of consignment %(ref)s; its count was kept as a discrepancy.": (
        "%(sku)s 不在头程货件 %(ref)s 的发货通知中；其清点数已记为差异。"
    ),
    "Found in the cartons but not on the notice (counted by %(actor)s).": (
        "箱内发现但不在发货通知中（清点人：%(actor)s）。"
    ),
    "%(n)d units short.": "短缺 %(n)d 件。",
    "%(n)d units more than the notice.": "比发货通知多 %(n)d 件。",
    "%(n)d of %(c)d counted units damaged.": "清点的 %(c)d 件中有 %(n)d 件破损。",
    "First-leg consignment %(ref)s": "头程货件 %(ref)s",
    "We sent no consignment %(ref)s to %(partner)s.": "我方未向 %(partner)s 发出头程货件 %(ref)s。",
    "Missing from the receipt.": "收货回执中缺少此项。",
    "The receipt names another shipped quantity.": "收货回执中的发货数量与此不同。",
    "Not on our notice.": "不在我方发货通知中。",
    "The comparison needs express rates in %(currency)s to %(country)s (amounts are not converted here).": (
        "对比需要以 %(currency)s 计价、发往 %(country)s 的快递费率（此处不做货币换算）。"
    ),
    "No unit weight for %(skus)s.": "%(skus)s 缺少单件重量。",
    # --- services: handoff ---
    "The partnership with %(partner)s is %(status)s; reports go only to live partnerships.": (
        "与 %(partner)s 的合作关系状态为“%(status)s”；报告只发给未终止的合作关系。"
    ),
    "A handoff up to %(later)s was already sent; a report cannot end earlier, at %(now)s.": (
        "截至 %(later)s 的交接报告已发送；报告不能截至更早的 %(now)s。"
    ),
    "Line %(index)d: %(problem)s": "第 %(index)d 行：%(problem)s",
    "%(field)s must be a whole number, 0 or more, not %(value)s.": (
        "%(field)s 必须是大于或等于 0 的整数，不能是 %(value)s。"
    ),
    "a SKU is required.": "必须提供 SKU。",
    "a SKU has at most 64 characters.": "SKU 最多 64 个字符。",
    "A report's lines must be a list.": "报告的 lines 必须是列表。",
    "a line must be an object.": "每行必须是一个对象。",
    "SKU %(sku)s is reported twice.": "SKU %(sku)s 被报告了两次。",
    "reserved (%(reserved)d) cannot exceed on_hand (%(on_hand)d).": (
        "reserved（%(reserved)d）不能超过 on_hand（%(on_hand)d）。"
    ),
    "age_buckets maps %(keys)s to units.": "age_buckets 应将 %(keys)s 映射到件数。",
    "%(field)s must be an ISO 8601 date and time, not %(value)r.": (
        "%(field)s 必须是 ISO 8601 日期时间，不能是 %(value)r。"
    ),
    "Stock report of %(end)s: on hand differs from received minus sold and removed.": (
        "%(end)s 的库存报告：在库数不等于已接收减去已售和已移除的数量。"
    ),
    "offset must be a whole number, 0 or more.": "offset 必须是大于或等于 0 的整数。",
    "This part starts at line %(offset)d but only %(count)d lines of the report arrived.": (
        "此分段从第 %(offset)d 行开始，但该报告只收到了 %(count)d 行。"
    ),
    # --- services: last leg ---
    "Shipment %(ref)s is %(status)s; it can be %(action)s only when %(wanted)s.": (
        "配送单 %(ref)s 状态为“%(status)s”；只有在“%(wanted)s”状态下才能标记为“%(action)s”。"
    ),
    "An order line reference is required (at most 120 characters).": "必须提供订单行编号（最多 120 个字符）。",
    "A SKU is required (at most 64 characters).": "必须提供 SKU（最多 64 个字符）。",
    "The recipient must be an object.": "收件人必须是一个对象。",
    "The recipient's %(field)s is required.": "必须填写收件人的 %(field)s。",
    "The recipient's %(field)s has at most %(limit)d characters.": "收件人的 %(field)s 最多 %(limit)d 个字符。",
    "The recipient's address lines are required.": "必须填写收件人的地址行。",
    "An address has at most 4 lines of 200 characters.": "地址最多 4 行，每行最多 200 个字符。",
    "%(value)s is not an ISO country code.": "%(value)s 不是 ISO 国家代码。",
    "Order line %(line)s already has a shipment of %(quantity)d x %(sku)s.": (
        "订单行 %(line)s 已有配送单：%(quantity)d x %(sku)s。"
    ),
    "Not enough local stock of %(sku)s for %(quantity)d units in one warehouse; available: %(available)s.": (
        "没有单个仓库的 %(sku)s 本地库存足够 %(quantity)d 件；可用：%(available)s。"
    ),
    "none": "无",
    "No reservation %(ref)s.": "没有预留 %(ref)s。",
    "Reservation %(ref)s holds %(held)d x %(held_sku)s, not %(quantity)d x %(sku)s.": (
        "预留 %(ref)s 为 %(held)d x %(held_sku)s，而不是 %(quantity)d x %(sku)s。"
    ),
    "Reservation %(ref)s already serves another shipment.": "预留 %(ref)s 已用于另一个配送单。",
    "prefer is own or consignment.": "prefer 只能是 own 或 consignment。",
    "No warehouse %(code)s.": "没有仓库 %(code)s。",
    "A direct shipment needs a live partnership to ship it.": "跨境直邮需要由未终止的合作关系发货。",
    "Shipment %(ref)s is a cross-border direct shipment; the partner %(action)s it.": (
        "配送单 %(ref)s 为跨境直邮，由伙伴负责%(action)s。"
    ),
    "picks": "拣货",
    "packs": "打包",
    "ships": "发货",
    "picked units back on the shelves: shipment cancelled": "已拣货商品放回货架：配送单已取消",
    "occurred_at must be a date and time.": "occurred_at 必须是日期时间。",
    "A tracking event needs an id (at most 120 characters).": "轨迹事件必须有 id（最多 120 个字符）。",
    "%(value)s is not a tracking status; one of %(known)s.": "%(value)s 不是有效的轨迹状态；应为 %(known)s 之一。",
    "Tracking goes only to a live partnership.": "物流轨迹只发送给未终止的合作关系。",
    "No cross-border direct shipment of %(sku)s for order line %(line)s with you.": (
        "你方没有订单行 %(line)s 中 %(sku)s 的跨境直邮配送单。"
    ),
    "from our warehouse": "从我方仓库发货",
    "shipped from abroad by the partner": "由伙伴从海外发货",
    # --- services: stock ---
    "%(field)s must be a whole number of units, not %(value)r.": "%(field)s 必须是整数件数，不能是 %(value)r。",
    "%(field)s must be more than zero, not %(value)s.": "%(field)s 必须大于零，不能是 %(value)s。",
    "%(field)s cannot be negative (%(value)s).": "%(field)s 不能为负数（%(value)s）。",
    (
        "Not enough stock of %(sku)s in %(warehouse)s to record %(kind)s: on hand %(on_hand)d, reserved %(reserved)d, "
        "picked %(picked)d; the change was %(d_on_hand)+d / %(d_reserved)+d / %(d_picked)+d."
    ): (
        "%(warehouse)s 中 %(sku)s 的库存不足，无法记录“%(kind)s”：在库 %(on_hand)d，已预留 %(reserved)d，"
        "已拣货 %(picked)d；本次变动为 %(d_on_hand)+d / %(d_reserved)+d / %(d_picked)+d。"
    ),
    "Reservation %(ref)s is %(status)s; only an active one can be picked.": (
        "预留 %(ref)s 状态为“%(status)s”；只有有效的预留才能拣货。"
    ),
    "An adjustment is a whole number of units other than zero, not %(value)r.": (
        "调整量必须是非零的整数件数，不能是 %(value)r。"
    ),
    "An adjustment needs a reason.": "调整需要填写原因。",
    "A write-off needs a reason.": "报损需要填写原因。",
    "Count differs from the sum of movements (checked %(at)s).": "库存数与变动记录合计不符（核对时间 %(at)s）。",
    # --- staff pages: views ---
    "Count": "数量",
    "of which damaged": "其中破损",
    "The advance shipment notice is on its way to the partner.": "发货通知正在发送给伙伴。",
    "Only inbound consignments are received.": "只有入库头程货件才能收货。",
    "%(sku)s: %(counted)d counted of %(shipped)d shipped (%(damaged)d damaged).": (
        "%(sku)s：发货 %(shipped)d 件，已清点 %(counted)d 件（破损 %(damaged)d 件）。"
    ),
    "Receipt complete: the good units are in stock and the receipt is sent.": "收货完成：良品已入库，收货回执已发送。",
    # --- staff pages: templates ---
    "Shipped": "发货数",
    "Counted": "清点数",
    "Damaged": "破损数",
    "Good": "良品数",
    "Short": "短缺",
    "Over": "超出",
    "Total": "合计",
    "Warehouse": "仓库",
    "Consignments": "头程货件",
    "Admin": "管理后台",
    "Consignment": "头程货件",
    "Send notice": "发送发货通知",
    "Receive": "收货",
    "All consignments": "全部头程货件",
    "Direction": "方向",
    "Carrier": "承运商",
    "Cartons": "箱数",
    "Gross weight (g)": "毛重（克）",
    "Expected arrival": "预计到达",
    "First-leg cost": "头程费用",
    "Received": "收货时间",
    "Lines": "明细",
    "First leg against international express": "头程与国际快递对比",
    "Units": "件数",
    "Unit weight (g)": "单件重量（克）",
    "Express per unit": "快递每件费用",
    "Express total": "快递总费用",
    "First leg": "头程",
    "per unit": "/件",
    "International express": "国际快递",
    "Saving": "节省",
    (
        "Express rates: the built-in table (CNY, China to the United States; about 500 CNY for 5 kg). Set your own "
        "under Express rates in the admin."
    ): ("快递费率：使用内置费率表（CNY，中国至美国；5 公斤约 500 CNY）。可在管理后台的“快递费率”中自行设置。"),
    "Express rates to %(country)s from the admin.": "发往 %(country)s 的快递费率取自管理后台。",
    "Discrepancies": "差异",
    "What": "项目",
    "Ours": "我方",
    "Theirs": "对方",
    "Note": "备注",
    "All": "全部",
    "Reference": "单号",
    "Page %(n)s of %(total)s": "第 %(n)s 页，共 %(total)s 页",
    "No consignments yet. Plan one with the plan_consignment command or from a replenishment suggestion.": (
        "还没有头程货件。请使用 plan_consignment 命令或根据补货建议创建。"
    ),
    "Receive consignment": "头程货件收货",
    "From %(partner)s into %(warehouse)s. Scan or type a SKU and press Enter: each scan adds its count.": (
        "由 %(partner)s 发往 %(warehouse)s。扫描或输入 SKU 后按回车：每次扫描都会累加数量。"
    ),
    "Add": "添加",
    "Counted so far": "已清点",
    "Not on the notice": "不在发货通知中",
    "Complete receipt": "完成收货",
    "Puts the good units into stock, flags every difference and sends the receipt to the partner.": (
        "将良品入库，标记每一处差异，并将收货回执发送给伙伴。"
    ),
}
