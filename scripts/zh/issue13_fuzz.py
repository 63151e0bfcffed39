"""Simplified Chinese for issue 13's bad-input refusals: control characters, strict JSON, 404s."""

ZH = {
    "This field holds a control character or an invalid character; remove it and send it again.": (
        "此字段含有控制字符或无效字符；请删除后重新提交。"
    ),
    "%(name)s is not a number JSON allows.": "%(name)s 不是 JSON 允许的数字。",
    "The number %(text)s is too large.": "数字 %(text)s 太大。",
    "The JSON is nested deeper than %(depth)s levels.": "JSON 的嵌套超过 %(depth)s 层。",
    "The body is not UTF-8.": "请求正文不是 UTF-8 编码。",
    "The body is not valid JSON: %(error)s": "请求正文不是有效的 JSON：%(error)s",
    "The form data could not be read.": "无法读取表单数据。",
    "No such address.": "没有这个地址。",
    "The input is nested too deeply.": "输入的嵌套层级太深。",
    "No partner API endpoint at this address.": "此地址没有伙伴平台 API 接口。",
    "Input not accepted": "输入未被接受",
    "The field “%(field)s”: %(detail)s": "字段“%(field)s”：%(detail)s",
    "Go back to the form, correct the field and send it again.": "请返回表单，更正该字段后重新提交。",
    "The request body is too large.": "请求正文太大。",
    "%(field)s is more units than can be counted (at most %(max)d).": "%(field)s 超出可计数的件数（最多 %(max)d）。",
}
