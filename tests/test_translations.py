"""The Chinese catalog is the one source of translations (locale/zh_Hans/LC_MESSAGES/django.po):
every message in it is translated, and none is fuzzy (gettext ignores a fuzzy translation, so the
shopper would read English). After `makemessages -l zh_Hans` adds a message, this fails until
someone writes its Chinese in the .po."""

from pathlib import Path

from babel.messages.pofile import read_po

ZH_CATALOG = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def incomplete_entries(path):
    """The msgids of a .po that are untranslated (any plural form empty) or flagged fuzzy; obsolete
    entries (#~, no longer in the code) do not count."""
    with open(path, "rb") as po:
        catalog = read_po(po)
    incomplete = []
    for message in catalog:
        if not message.id:  # the header
            continue
        forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(forms):
            incomplete.append(message.id)
    return incomplete


def test_every_message_of_the_chinese_catalog_is_translated_and_none_is_fuzzy():
    assert incomplete_entries(ZH_CATALOG) == []


def test_an_untranslated_or_fuzzy_message_is_reported(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Cart"\nmsgstr "购物车"\n\n'
        'msgid "Checkout"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Orders"\nmsgstr "订单"\n\n'
        'msgid "%(n)d item"\nmsgid_plural "%(n)d items"\nmsgstr[0] ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )

    assert incomplete_entries(po) == ["Checkout", "Orders", ("%(n)d item", "%(n)d items")]
