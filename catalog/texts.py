"""Short texts written once per language: a variant's attribute values (colour "蓝色" / "Blue") and a
shop's name. Each is stored as {language: text}; a reader is shown their language, else a good
default (the platform's language, the original language, then any), so a text given in one
language only is still shown everywhere (docs/adr/0027).

The former shape of an attribute, a plain string, is read as a text in one language (`coerce`),
so rows written before per-language texts and partners still sending it keep working."""

from django.conf import settings
from django.utils.translation import get_language

from crossborder.display_text import without_format_controls

MAX_LANGUAGE_CHARS = 16


def _primary(code):
    return (code or "").lower().split("-")[0]


def same_language(a, b):
    """en-gb reads en; zh-hans must never be given zh-hant."""
    a, b = (a or "").lower(), (b or "").lower()
    return a == b or (not a.startswith("zh") and _primary(a) == _primary(b))


def coerce(value, language):
    """{language: text} of a value in the current shape, or of a former plain string (read as
    written in `language`); empty texts dropped, values cleaned of invisible format characters."""
    if isinstance(value, str):
        value = {language: value}
    if not isinstance(value, dict):
        return {}
    cleaned = {}
    for code, text in value.items():
        if isinstance(code, str) and isinstance(text, str) and text.strip() and len(code) <= MAX_LANGUAGE_CHARS:
            cleaned[code.lower()] = without_format_controls(text).strip()
    return cleaned


def pick(texts, language=None, *, original_language=""):
    """(text, its language) for a reader of `language`: theirs, else the platform's language, else
    the original language, else the first there is (by language code); ("", "") when empty."""
    if not texts:
        return "", ""
    if isinstance(texts, str):  # the former shape
        return texts, original_language
    language = language or get_language() or settings.LANGUAGE_CODE
    for wanted in (language, settings.LANGUAGE_CODE, original_language):
        for code in sorted(texts):
            if wanted and same_language(code, wanted) and texts[code]:
                return texts[code], code
    code = sorted(texts)[0]
    return texts[code], code


def attributes_in(attributes, language=None, *, original_language=""):
    """[(name, value)] of a variant's attributes ({name: {language: text}}, or the former
    {name: text}) for a reader of `language`, by name (the database keeps no order of keys)."""
    shown = []
    for name, value in sorted((attributes or {}).items()):
        text, _code = pick(value, language, original_language=original_language)
        if text:
            shown.append((name, text))
    return shown


def attributes_label(attributes, language=None, *, original_language=""):
    """A variant's attribute values as one label ("Blue / L"), in the reader's language."""
    return " / ".join(
        value for _name, value in attributes_in(attributes, language, original_language=original_language)
    )


def platform_languages():
    return [code for code, _name in settings.LANGUAGES]
