"""Simplified Chinese for issue 13 (files): image uploads, spreadsheet limits, partner images."""

ZH = {
    "The image is too large to decode; at most %(limit)d megapixels are accepted.": (
        "图片过大，无法解码；最多接受 %(limit)d 百万像素。"
    ),
    "The image is %(width)d x %(height)d pixels; at most %(limit)d megapixels are accepted.": (
        "图片为 %(width)d x %(height)d 像素；最多接受 %(limit)d 百万像素。"
    ),
}
