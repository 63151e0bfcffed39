"""Fill the zh_Hans catalog after makemessages from tables of translations written by hand: the one
below (platform core) and one `ZH` table per area in scripts/zh/*.py. A message with a context
(pgettext) has the key "context\x04msgid".

python -m scripts.translate_zh   # then: python manage.py compilemessages"""

import importlib.util
import re
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

ZH = {
    "Rotate this platform's signing key (publish a new key to all partners)": "轮换本平台签名密钥（向所有伙伴发布新密钥）",
    "New key %(key)s published; it signs once every partner has acknowledged it.": "新密钥 %(key)s 已发布；所有伙伴确认后开始用于签名。",
    "%(n)d partnership(s) updated; the partner is told.": "已更新 %(n)d 个合作关系，并已通知伙伴。",
    "Suspend the selected partnerships (hides the partner zone)": "暂停所选合作关系（隐藏伙伴专区）",
    "Suspended by ops": "运营暂停",
    "Resume the selected partnerships": "恢复所选合作关系",
    "Accept the selected proposals": "接受所选合作提议",
    "Give this token to the partner (shown once): %(token)s": "请将此令牌交给伙伴（仅显示一次）：%(token)s",
    "last error": "最近错误",
    "Relay the selected partnerships' outboxes now": "立即投递所选合作关系的发件箱",
    "Delivered %(d)d, rejected %(r)d, waiting after failure %(f)d.": "已送达 %(d)d，被拒 %(r)d，失败待重试 %(f)d。",
    "Partner status": "伙伴状态",
    "Platform and partners": "平台与伙伴",
    "platform identity": "平台身份",
    "next (published, not yet signing)": "下一把（已发布，尚未签名）",
    "current (signing)": "当前（签名中）",
    "previous (still published)": "上一把（仍发布中）",
    "retired": "已退役",
    "Raw Ed25519 public key, base64": "Ed25519 原始公钥（base64）",
    "active": "有效",
    "disabled": "已停用",
    "revoked": "已吊销",
    "Signatures made later are refused": "此后生成的签名将被拒绝",
    "proposed": "已提议",
    "suspended": "已暂停",
    "ended": "已终止",
    "this platform": "本平台",
    "the partner": "伙伴平台",
    "Share of the partner-goods sale price kept by the selling platform, 0 to 1": "销售平台留存的伙伴商品售价比例（0 到 1）",
    "Fee name to decimal amount or rate": "费用名称对应的金额或费率",
    "Shared taxonomy IDs in scope; empty means all": "合作范围内的共享类目 ID；留空表示全部",
    "Daily cut-off for the settlement batch, platform time": "每日结算批次截止时间（平台时区）",
    "accepted": "已接受",
    "declined": "已拒绝",
    "resumed": "已恢复",
    "partner keys updated": "伙伴密钥已更新",
    "Caused by a message from the partner": "由伙伴消息触发",
    "pending": "待发送",
    "delivered": "已送达",
    "rejected by partner": "被伙伴拒绝",
    "processing": "处理中",
    "done": "已完成",
    "sent": "已发送",
    "received": "已接收",
    "Sender's outbox sequence": "发送方发件箱序号",
    "Simplified Chinese": "简体中文",
    "English": "英语",
    "Home": "首页",
    "Partner": "伙伴",
    "Partnership": "合作关系",
    "Last message sent": "最近发送消息",
    "Last message received": "最近接收消息",
    "Backlog": "积压",
    "Rejected": "被拒",
    "Last error": "最近错误",
    "No partners yet. Propose a partnership with manage.py propose_partnership.": "还没有伙伴。请用 manage.py propose_partnership 发起合作提议。",
    "Language": "语言",
    "Switch": "切换",
    "%(name)s — an independent platform in a cross-border partnership.": "%(name)s —— 跨境合作中的独立电商平台。",
    "Welcome to %(name)s": "欢迎来到 %(name)s",
    "Goods from home, and from our partner platforms abroad, paid for in your own currency.": "本地好物，以及海外伙伴平台的精选商品，均以本币支付。",
    "Partner zones": "伙伴专区",
    "prices in %(currency)s": "以 %(currency)s 标价",
    "Partner goods arrive here as the partner's catalog is mirrored.": "伙伴商品目录同步后将在此上架。",
    "No partner zone is open at the moment.": "目前没有开放的伙伴专区。",
    "Partner zone": "伙伴专区",
    "Ships from abroad": "海外直发",
}


def _unquote(lines):
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', "\n".join(lines))).replace('\\"', '"')


def _area_tables():
    for path in sorted((Path(__file__).resolve().parent / "zh").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"zh_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield getattr(module, "ZH", {})


for _table in _area_tables():
    ZH.update(_table)


def _without_fuzzy(line):
    """A flags line without `fuzzy` (a fuzzy entry's msgstr is ignored); None if nothing is left."""
    if not line.startswith("#,"):
        return line
    flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() and flag.strip() != "fuzzy"]
    return "#, " + ", ".join(flags) if flags else None


def fill(text):
    out = []
    for entry in text.split("\n\n"):
        lines = entry.split("\n")
        ids = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
        plurals = [i for i, line in enumerate(lines) if line.startswith("msgid_plural ")]
        strs = [i for i, line in enumerate(lines) if line.startswith(("msgstr ", "msgstr[0] "))]
        contexts = [i for i, line in enumerate(lines) if line.startswith("msgctxt ")]
        if ids and strs:
            msgid = _unquote(lines[ids[0] : plurals[0] if plurals else strs[0]])
            if contexts:  # pgettext: the table's key is "context\x04msgid", as in a compiled catalog
                msgid = _unquote(lines[contexts[0] : ids[0]]) + "\x04" + msgid
            if msgid in ZH:
                lines = [unfuzzy for line in lines[: strs[0]] if (unfuzzy := _without_fuzzy(line))]
                # Chinese has one plural form (nplurals=1): msgstr[0] serves every count.
                keyword = "msgstr[0]" if plurals else "msgstr"
                lines.append('{} "{}"'.format(keyword, ZH[msgid].replace('"', '\\"')))
            elif msgid == "":
                lines = [line for line in lines if line != "#, fuzzy"]
                lines = [
                    line.replace("charset=CHARSET", "charset=UTF-8").replace(
                        '"Language: \\n"', '"Language: zh_Hans\\n"'
                    )
                    for line in lines
                ]
        out.append("\n".join(lines))
    return "\n\n".join(out)


def main():
    filled = fill(CATALOG.read_text())
    CATALOG.write_text(filled)
    missing = re.findall(r'msgid "(.+)"\n(?:msgid_plural ".*"\n)?msgstr(?:\[0\])? ""\n', filled)
    if missing:
        print("untranslated:", *missing, sep="\n  ")


if __name__ == "__main__":
    main()
