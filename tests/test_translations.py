"""The Chinese catalog is the one source of translations (locale/zh_Hans/LC_MESSAGES/django.po):
every message in it is translated, and none is fuzzy (gettext ignores a fuzzy translation, so the
shopper would read English). After `makemessages -l zh_Hans` adds a message, this fails until
someone writes its Chinese in the .po."""

from pathlib import Path

from babel.messages.pofile import read_po

ZH_CATALOG = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
JA_CATALOG = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES" / "django.po"
# What a shopper reads: the storefront, the partner zone, cart, checkout and payment, the account
# pages and the e-mails. The Japanese catalog must translate every text these use (the rest, the
# admin and the merchants' pages, may stay in English).
SHOPPER_SOURCES = (
    "templates/base.html",
    "templates/404.html",
    "templates/500.html",
    "templates/storefront/",
    "templates/catalog/",
    "templates/partner_zone/",
    "templates/payments/",
    "templates/accounts/",
    "templates/notifications/",
    "payments/shop/",
    "accounts/",
    "crossborder/addresses.py",
)


def incomplete_entries(path, sources=None):
    """The msgids of a .po that are untranslated (any plural form empty) or flagged fuzzy; obsolete
    entries (#~, no longer in the code) do not count. `sources`: only messages used in a file
    whose path starts with one of them (merchant_orders.html is the merchants', not a shopper's)."""
    with open(path, "rb") as po:
        catalog = read_po(po)
    incomplete = []
    for message in catalog:
        if not message.id:  # the header
            continue
        if sources is not None and not any(
            location.startswith(sources) and "merchant" not in location and "/admin" not in location
            for location, _line in message.locations
        ):
            continue
        forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(forms):
            incomplete.append(message.id)
    return incomplete


def test_every_message_of_the_chinese_catalog_is_translated_and_none_is_fuzzy():
    assert incomplete_entries(ZH_CATALOG) == []


def test_every_text_a_shopper_reads_is_in_the_japanese_catalog_and_none_is_fuzzy():
    assert incomplete_entries(JA_CATALOG, SHOPPER_SOURCES) == []


def test_the_japanese_catalog_renders_the_storefront_in_japanese():
    from django.utils import translation

    with translation.override("ja"):
        assert translation.gettext("Cart") == "カート"
        assert translation.gettext("Partner zones") == "パートナーゾーン"
        assert translation.gettext("Checkout") == "購入手続き"


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
