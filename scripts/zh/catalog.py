"""Simplified Chinese for the catalog: storefront, merchant area, spreadsheet import, catalog errors."""

ZH = {
    # --- admin ---
    "products": "商品",
    "Archive (leaves the shop and partner feeds)": "归档（从店铺和伙伴平台商品源中移除）",
    "%(n)d product archived.": "已归档 %(n)d 件商品。",
    "Put on sale": "上架",
    "%(n)d product put on sale.": "已上架 %(n)d 件商品。",
    "Take back to draft": "退回草稿",
    "%(n)d product back to draft.": "已将 %(n)d 件商品退回草稿。",
    "Withdraw from the partner (sent as a tombstone in its feed)": "从伙伴平台撤回（在其商品源中以删除标记发送）",
    "%(n)d offer withdrawn.": "已撤回 %(n)d 条出口报价。",
    # --- partner feed ---
    "updated_since must be an ISO 8601 timestamp such as 2025-01-31T08:00:00Z.": (
        "updated_since 必须是 ISO 8601 时间戳，例如 2025-01-31T08:00:00Z。"
    ),
    "updated_since needs a UTC offset (Z or +08:00, with + written as %2B in a URL).": (
        "updated_since 需要带 UTC 偏移（Z 或 +08:00，在 URL 中 + 要写成 %2B）。"
    ),
    "limit must be a whole number from 1 to %(max)d.": "limit 必须是 1 到 %(max)d 之间的整数。",
    "This cursor is not one the feed issued.": "此游标不是由本商品源签发的。",
    "This cursor is not one the feed issued, or it was altered.": "此游标不是由本商品源签发的，或已被篡改。",
    "This cursor belongs to a fetch with another updated_since; repeat that fetch's updated_since.": (
        "此游标属于使用另一个 updated_since 的拉取；请沿用那次拉取的 updated_since。"
    ),
    # --- storefront filters ---
    "Choose at most %(n)d values.": "最多选择 %(n)d 项。",
    "The highest price is below the lowest price.": "最高价低于最低价。",
    "Newest": "最新上架",
    "Price: low to high": "价格从低到高",
    "Price: high to low": "价格从高到低",
    "Brand": "品牌",
    "Country of origin": "原产国",
    "From": "从",
    "To": "至",
    "In stock only": "仅看有货",
    "Sort by": "排序方式",
    "Best match": "综合排序",
    # --- merchant forms ---
    "Code or title": "编码或标题",
    "Status": "状态",
    "Product code": "商品编码",
    "Category": "类目",
    "The shared taxonomy: the same category ID means the same thing on every partner platform.": (
        "共用类目体系：同一个类目 ID 在每个伙伴平台上含义相同。"
    ),
    "HS code": "HS 编码",
    "6 digits, e.g. 392410": "6 位数字，例如 392410",
    "Weight (g)": "重量（克）",
    "Length (mm)": "长（毫米）",
    "Width (mm)": "宽（毫米）",
    "Height (mm)": "高（毫米）",
    "Original language": "原始语言",
    "Title": "标题",
    "Description": "描述",
    "SKU": "SKU",
    "Size": "尺码",
    "Colour": "颜色",
    "Price": "价格",
    "Stock": "库存",
    "On sale": "在售",
    "A SKU is required.": "请填写 SKU。",
    "A price is required.": "请填写价格。",
    "Image": "图片",
    "Alternative text": "替代文字",
    "Offered": "已报价",
    "Export price": "出口报价",
    "Stock for direct sale": "跨境直发库存",
    "Spreadsheet (CSV or XLSX)": "表格文件（CSV 或 XLSX）",
    "The file is %(size)s; the limit is %(limit)s.": "文件大小为 %(size)s，上限为 %(limit)s。",
    # --- spreadsheet import: the file ---
    "%(name)s is not a CSV or XLSX file; upload a file ending in %(formats)s.": (
        "%(name)s 不是 CSV 或 XLSX 文件；请上传扩展名为 %(formats)s 的文件。"
    ),
    "The file is neither %(first)s nor %(second)s text; save the CSV as UTF-8 and upload it again.": (
        "该文件既不是 %(first)s 也不是 %(second)s 编码的文本；请将 CSV 另存为 UTF-8 后重新上传。"
    ),
    "The file is an Excel workbook named .csv; rename it to .xlsx or save it as CSV.": (
        "该文件是 Excel 工作簿，却以 .csv 命名；请将其重命名为 .xlsx，或另存为 CSV。"
    ),
    "The file is not a CSV text file (it holds binary data); save the sheet as CSV.": (
        "该文件不是 CSV 文本文件（含有二进制数据）；请将表格另存为 CSV。"
    ),
    "The CSV file cannot be read: %(error)s.": "无法读取该 CSV 文件：%(error)s。",
    "The file is not a readable XLSX workbook; save it from Excel as .xlsx.": (
        "该文件不是可读取的 XLSX 工作簿；请在 Excel 中另存为 .xlsx。"
    ),
    "Column %(position)d has values but no name in the header row; expected one of: %(columns)s.": (
        "第 %(position)d 列有数据，但表头行中没有列名；列名应为以下之一：%(columns)s。"
    ),
    "Unknown column(s) %(unknown)s; the columns are: %(columns)s.": "未知的列 %(unknown)s；可用的列为：%(columns)s。",
    "Column(s) %(columns)s appear more than once.": "列 %(columns)s 重复出现。",
    "The file lacks the required column(s) %(missing)s; the header row must name them.": (
        "文件缺少必填列 %(missing)s；表头行中必须包含这些列名。"
    ),
    "The first row must be the header naming the columns: %(columns)s.": "第一行必须是写明列名的表头：%(columns)s。",
    "The file has %(rows)d rows; at most %(limit)d can be imported at once. Split it into several files.": (
        "文件共有 %(rows)d 行，一次最多可导入 %(limit)d 行。请拆分为多个文件。"
    ),
    # --- spreadsheet import: one cell ---
    "is empty; expected %(expected)s.": "为空；应填写%(expected)s。",
    "is %(length)d characters long; at most %(limit)d are allowed.": "长度为 %(length)d 个字符；最多允许 %(limit)d 个。",
    "%(value)s is not a whole number; expected %(expected)s.": "%(value)s 不是整数；应填写%(expected)s。",
    "%(value)s is less than %(minimum)d; expected %(expected)s.": "%(value)s 小于 %(minimum)d；应填写%(expected)s。",
    "%(value)s is too large; expected %(expected)s.": "%(value)s 过大；应填写%(expected)s。",
    "an amount such as 99.00": "金额，例如 99.00",
    "%(value)s is not a number; expected %(expected)s.": "%(value)s 不是数字；应填写%(expected)s。",
    "%(value)s is not more than zero; a price must be more than 0.": "%(value)s 不大于零；价格必须大于 0。",
    "%(value)s is too large for a price.": "%(value)s 作为价格过大。",
    "%(value)s has more than 2 decimal places; round it to cents, e.g. 99.95.": (
        "%(value)s 超过 2 位小数；请保留到分，例如 99.95。"
    ),
    "%(value)s is not a currency code; expected %(platform)s.": "%(value)s 不是币种代码；应为 %(platform)s。",
    "Prices here are in %(platform)s, not %(value)s; convert the price and write %(platform)s.": (
        "本平台价格以 %(platform)s 计价，而非 %(value)s；请换算价格并填写 %(platform)s。"
    ),
    "the 6-digit HS subheading, e.g. 392410": "6 位 HS 子目编码，例如 392410",
    "%(value)s is not 6 digits; expected %(expected)s (format the column as text if the code starts with 0, so the spreadsheet keeps the zero).": (
        "%(value)s 不是 6 位数字；应填写%(expected)s（如果编码以 0 开头，请将该列设置为文本格式，以免表格丢掉开头的 0）。"
    ),
    "an ISO 3166 two-letter country code, e.g. CN": "ISO 3166 两位字母国家代码，例如 CN",
    "%(value)s is not a country code; expected %(expected)s.": "%(value)s 不是国家代码；应填写%(expected)s。",
    "a language code such as zh-hans or en": "语言代码，例如 zh-hans 或 en",
    "%(value)s is not a known language code; expected %(expected)s.": "%(value)s 不是可识别的语言代码；应填写%(expected)s。",
    "%(value)s is not a status; expected active, draft or archived (blank means active).": (
        "%(value)s 不是有效状态；应为 active、draft 或 archived（留空表示 active）。"
    ),
    # --- spreadsheet import: rows ---
    "The row has values beyond the named columns; give every column a header.": (
        "该行在有列名的列之外还有数据；请为每一列填写表头。"
    ),
    "is empty; expected your own code for the product.": "为空；应填写您自己的商品编码。",
    "%(value)s differs from %(first)s on row %(row)d, the first row of product %(code)s; a product's columns must be the same on all its rows (or left blank).": (
        "%(value)s 与第 %(row)d 行（商品 %(code)s 的首行）的 %(first)s 不一致；同一商品的各行中，这些商品列必须相同（或留空）。"
    ),
    "a taxonomy ID such as 561": "类目 ID，例如 561",
    "the weight in grams, e.g. 250": "以克为单位的重量，例如 250",
    "millimetres, e.g. 120": "毫米数，例如 120",
    "has text but %(title)s is empty; a description needs a title.": "有内容，但 %(title)s 为空；有描述就必须有标题。",
    "is empty; a product needs a title in its original language (%(language)s).": (
        "为空；商品必须有原始语言（%(language)s）的标题。"
    ),
    "is missing; a product needs a title in its original language (%(language)s).": (
        "缺失；商品必须有原始语言（%(language)s）的标题。"
    ),
    "the number in stock, e.g. 10": "库存数量，例如 10",
    "is empty; expected the variant's SKU.": "为空；应填写该规格的 SKU。",
    "SKU %(sku)s is already on row %(row)d; every row needs its own SKU.": (
        "SKU %(sku)s 已在第 %(row)d 行出现；每一行都必须有自己的 SKU。"
    ),
    "SKU %(sku)s belongs to another merchant; choose a SKU of your own.": "SKU %(sku)s 属于其他商家；请使用您自己的 SKU。",
    "SKU %(sku)s belongs to your product %(code)s; a SKU cannot move to another product.": (
        "SKU %(sku)s 属于您的商品 %(code)s；SKU 不能移到其他商品下。"
    ),
    "%(value)s is not a category of the Google product taxonomy; expected its numeric ID, e.g. 561.": (
        "%(value)s 不是 Google 商品类目中的类目；应填写其数字 ID，例如 561。"
    ),
    "The file is %(size)d KB; the limit is %(limit)d KB. Split it into several files.": (
        "文件大小为 %(size)d KB，上限为 %(limit)d KB。请拆分为多个文件。"
    ),
    "Unknown format %(fmt)s; expected one of %(formats)s.": "未知格式 %(fmt)s；应为 %(formats)s 之一。",
    # --- merchant views ---
    "Product %(code)s saved.": "商品 %(code)s 已保存。",
    "Product %(code)s archived: it has left the storefront and partner feeds.": (
        "商品 %(code)s 已归档：已从店铺和伙伴平台商品源中移除。"
    ),
    "Image added.": "图片已添加。",
    "Image removed.": "图片已删除。",
    "Nothing was saved; fix the row marked below.": "未保存任何内容；请修正下方标出的行。",
    "Export offers saved.": "出口报价已保存。",
    # --- models ---
    "An HS code is exactly 6 digits (the international subheading), e.g. 392410.": (
        "HS 编码必须是 6 位数字（国际通用子目），例如 392410。"
    ),
    "taxonomy ID": "类目 ID",
    "category": "类目",
    "categories": "类目",
    "name": "名称",
    "code": "编码",
    "contact e-mail": "联系邮箱",
    "merchant": "商家",
    "merchants": "商家",
    "draft": "草稿",
    "on sale": "在售",
    "product code": "商品编码",
    "The merchant's own code": "商家自定义编码",
    "brand": "品牌",
    "original language": "原始语言",
    "country of origin": "原产国",
    "weight (g)": "重量（克）",
    "length (mm)": "长（毫米）",
    "width (mm)": "宽（毫米）",
    "height (mm)": "高（毫米）",
    "price from": "最低价",
    "product": "商品",
    "title": "标题",
    "description": "描述",
    "product text": "商品文案",
    "product texts": "商品文案",
    "attributes": "规格属性",
    "price": "价格",
    "stock": "库存",
    "variant": "规格",
    "variants": "规格",
    "image": "图片",
    "alternative text": "替代文字",
    "product image": "商品图片",
    "product images": "商品图片",
    "offered": "已报价",
    "export price": "出口报价",
    "stock for direct sale": "跨境直发库存",
    "export offer": "出口报价",
    "export offers": "出口报价",
    # --- attribute names ---
    "Capacity": "容量",
    "Material": "材质",
    "Flavour": "口味",
    "Age": "适用年龄",
    "Shade": "色号",
    "Volume": "体积",
    "Weight": "重量",
    "Pack": "包装规格",
    # --- services ---
    "A price needs an amount and a currency.": "价格必须包含金额和币种。",
    "Unknown currency %(code)s.": "未知币种 %(code)s。",
    "Prices here are in %(platform)s, not %(code)s.": "本平台价格以 %(platform)s 计价，而非 %(code)s。",
    "A price must be more than zero.": "价格必须大于零。",
    "A price has at most 2 decimal places.": "价格最多保留 2 位小数。",
    "A product needs a product code.": "商品必须有商品编码。",
    "Category %(id)s is not in the taxonomy.": "类目 %(id)s 不在类目体系中。",
    "HS code %(code)r is not 6 digits.": "HS 编码 %(code)r 不是 6 位数字。",
    "Weight must be more than 0 g.": "重量必须大于 0 克。",
    "Unknown language %(code)r.": "未知语言 %(code)r。",
    "A title in the original language (%(code)s) is required.": "必须填写原始语言（%(code)s）的标题。",
    "A product needs at least one SKU.": "商品至少需要一个 SKU。",
    "The same SKU appears twice.": "同一个 SKU 出现了两次。",
    "A SKU cannot be empty.": "SKU 不能为空。",
    "Stock cannot be negative.": "库存不能为负数。",
    "SKU %(sku)s belongs to another product.": "SKU %(sku)s 属于其他商品。",
    "This product belongs to another merchant.": "该商品属于其他商家。",
    "Unknown status %(s)r.": "未知状态 %(s)r。",
    "The image is %(size)d KB; the limit is %(limit)d KB.": "图片大小为 %(size)d KB，上限为 %(limit)d KB。",
    "The file is not an image.": "该文件不是图片。",
    "Images must be JPEG, PNG, WebP or GIF, not %(kind)s.": "图片必须是 JPEG、PNG、WebP 或 GIF 格式，不支持 %(kind)s。",
    "The partnership with %(partner)s is %(status)s; goods can only be offered to an active partner.": (
        "与 %(partner)s 的合作状态为%(status)s；只能向合作中的伙伴平台报价。"
    ),
    "%(n)s g": "%(n)s 克",
    "%(n)s kg": "%(n)s 千克",
    # --- storefront templates ---
    "Search products": "搜索商品",
    "Search products, brands, categories": "搜索商品、品牌、类目",
    "Search": "搜索",
    "Filters": "筛选",
    "Lowest price": "最低价",
    "Min": "最低",
    "Highest price": "最高价",
    "Max": "最高",
    "Availability": "库存状态",
    "Apply": "确定",
    "Clear filters": "清除筛选",
    "%(counter)s product": "%(counter)s 件商品",
    "Sort": "排序",
    "Active filters": "已选条件",
    "Pages": "分页",
    "Previous": "上一页",
    "Next": "下一页",
    "No products match these filters.": "没有符合筛选条件的商品。",
    "Nothing found for “%(query)s”.": "没有找到与“%(query)s”相关的结果。",
    "Check the spelling, try fewer or more general words, or browse the categories.": (
        "请检查拼写，尝试减少关键词或使用更宽泛的词，或按类目浏览。"
    ),
    "There is nothing on sale in this category yet.": "该类目下暂无在售商品。",
    "No photo yet": "暂无图片",
    "Out of stock": "缺货",
    "Not on sale": "未上架",
    "from %(price)s": "%(price)s 起",
    "Breadcrumb": "面包屑导航",
    "Subcategories": "子类目",
    "Shown in the original language: %(language)s": "以原始语言显示：%(language)s",
    "In stock": "有货",
    "Options": "可选规格",
    "Option": "规格",
    "Only %(counter)s left": "仅剩 %(counter)s 件",
    "Dimensions": "尺寸",
    "%(l)s × %(w)s × %(h)s mm": "%(l)s × %(w)s × %(h)s 毫米",
    "Sold by": "商家",
    "“%(query)s”": "“%(query)s”",
    "Results for “%(query)s”": "“%(query)s”的搜索结果",
    "Type at least one word or character to search.": "请至少输入一个词或字进行搜索。",
    "What are you looking for?": "您想找什么？",
    "Search in Chinese or in English: by name, brand or category.": "可用中文或英文搜索：商品名称、品牌或类目。",
    "e.g. 奶瓶, baby bottle": "例如：奶瓶、baby bottle",
    # --- merchant templates ---
    "Page %(number)s of %(total)s": "第 %(number)s 页，共 %(total)s 页",
    "Goods abroad": "海外在售商品",
    "Sales figures (sold abroad, revenue abroad) arrive once the partner zone and settlement are live; until then these columns show “—”.": (
        "销售数据（海外销量、海外收入）将在伙伴专区和结算上线后提供；在此之前这两列显示“—”。"
    ),
    "Product": "商品",
    "Offer": "报价状态",
    "Last change": "最近修改",
    "Sold abroad": "海外销量",
    "Revenue abroad": "海外收入",
    "withdrawn": "已撤回",
    "None of your products is offered to a partner yet.": "您还没有向任何伙伴平台报价的商品。",
    "Open a product and fill in its export offers to make it available abroad.": (
        "打开一个商品并填写其出口报价，即可在海外销售。"
    ),
    "Merchant area": "商家后台",
    "Products": "商品",
    "Import": "导入",
    "Abroad": "海外",
    "Log out": "退出登录",
    "Choose a merchant": "选择商家",
    "Your account belongs to several merchants. Which one are you working for?": (
        "您的账号属于多个商家。您要以哪个商家的身份操作？"
    ),
    "Import products": "导入商品",
    "Import products from a spreadsheet": "从表格导入商品",
    "Import finished": "导入完成",
    "%(counter)s product created": "新建 %(counter)s 件商品",
    "%(counter)s product updated": "更新 %(counter)s 件商品",
    "%(counter)s row read": "读取 %(counter)s 行",
    "See your products": "查看您的商品",
    "%(counter)s problem found": "发现 %(counter)s 个问题",
    "Nothing was imported; fix these rows and upload the file again.": "未导入任何内容；请修正这些行后重新上传文件。",
    "Row": "行",
    "Column": "列",
    "Problem": "问题",
    "Upload a file": "上传文件",
    "CSV (UTF-8) or Excel XLSX, at most %(size)s. The import is all or nothing: if any row has a problem, no row is saved.": (
        "支持 CSV（UTF-8）或 Excel XLSX，最大 %(size)s。导入要么全部成功，要么全部不保存：只要有一行有问题，所有行都不会保存。"
    ),
    "The file's layout": "文件格式",
    "One row per variant (SKU); rows with the same product code make one product. Start from the blank template or from an export of your products.": (
        "每个规格（SKU）占一行；商品编码相同的行组成同一个商品。可以从空白模板或您导出的商品文件开始填写。"
    ),
    "Blank template": "空白模板",
    "Your products": "您的商品",
    "%(counter)s column": "%(counter)s 列",
    "Merchant login": "商家登录",
    "Log in to manage your products, import spreadsheets and offer goods to partner platforms.": (
        "登录后即可管理商品、导入表格，并向伙伴平台报价。"
    ),
    "Log in": "登录",
    "No merchant account": "无商家账号",
    "Your login is not linked to any merchant": "您的登录账号未关联任何商家",
    "You are logged in as %(user)s, but this account is not a member of any active merchant, so there are no products to manage.": (
        "您当前以 %(user)s 身份登录，但该账号不属于任何有效商家，因此没有可管理的商品。"
    ),
    "Ask the platform's operations team to add your account to your shop's merchant, then reload this page.": (
        "请联系平台运营团队将您的账号添加到店铺所属商家，然后刷新本页面。"
    ),
    "New product": "新建商品",
    "View in the shop": "在店铺中查看",
    "Archive": "归档",
    "Titles and descriptions": "标题和描述",
    "A title in the original language is required; the other languages are optional (shoppers then see the original).": (
        "原始语言的标题为必填项；其他语言可选（未填写时买家将看到原文）。"
    ),
    "Variants (SKUs)": "规格（SKU）",
    'Prices in %(currency)s. Leave a row empty to skip it; untick "On sale" to stop selling a SKU (it is never deleted: orders refer to it).': (
        "价格以 %(currency)s 计。留空的行将被跳过；取消勾选“在售”即可停售某个 SKU（SKU 不会被删除，因为订单会引用它）。"
    ),
    "Save changes": "保存修改",
    "Create product": "创建商品",
    "Cancel": "取消",
    "Images": "图片",
    "Remove": "删除",
    "No images yet.": "暂无图片。",
    "Upload image": "上传图片",
    "Export offers to partner platforms": "向伙伴平台的出口报价",
    "The export price is what the partner pays you, in %(currency)s. Direct-sale stock is what the partner may sell for cross-border direct shipping.": (
        "出口报价是伙伴平台向您支付的价格，以 %(currency)s 计。跨境直发库存是伙伴平台可用于跨境直发销售的数量。"
    ),
    "Save offers": "保存报价",
    "There is no active partnership yet, so there is no partner to offer goods to.": (
        "目前还没有合作中的伙伴平台，因此暂时无法报价。"
    ),
    "Import spreadsheet": "导入表格",
    "Search by code or title": "按编码或标题搜索",
    "Filter": "筛选",
    "Clear": "清除",
    "Export": "导出",
    "Code": "编码",
    "No product matches these filters.": "没有符合筛选条件的商品。",
    "No products yet.": "暂无商品。",
    "Add one with the form, or import many at once from a spreadsheet.": "可以通过表单逐个添加，或从表格批量导入。",
    "Shop by category": "按类目选购",
    "New arrivals": "新品上架",
    "Page not found": "页面不存在",
    "This page does not exist, or the goods on it are no longer offered.": "该页面不存在，或页面上的商品已下架。",
    "Back to the home page": "返回首页",
}
