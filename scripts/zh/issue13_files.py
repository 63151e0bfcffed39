"""Simplified Chinese for issue 13 (files): image uploads, spreadsheet limits, partner images."""

ZH = {
    "The image is too large to decode; at most %(limit)d megapixels are accepted.": (
        "图片过大，无法解码；最多接受 %(limit)d 百万像素。"
    ),
    "The image is %(width)d x %(height)d pixels; at most %(limit)d megapixels are accepted.": (
        "图片为 %(width)d x %(height)d 像素；最多接受 %(limit)d 百万像素。"
    ),
    "%(name)s expands to %(size)s; at most %(limit)s can be imported at once. Split it into several files.": (
        "%(name)s 解压后为 %(size)s；一次最多可导入 %(limit)s。请拆分成几个文件。"
    ),
    "%(name)s is compressed %(ratio)d times, more than a spreadsheet of products is (at most %(limit)d); "
    "save it again from Excel as .xlsx.": (
        "%(name)s 的压缩比为 %(ratio)d 倍，超过商品表格应有的压缩比（最多 %(limit)d 倍）；请用 Excel 重新另存为 .xlsx。"
    ),
    "%(name)s has more than %(limit)d rows; at most %(limit)d can be imported at once. Split it into several files.": (
        "%(name)s 超过 %(limit)d 行；一次最多可导入 %(limit)d 行。请拆分成几个文件。"
    ),
}
