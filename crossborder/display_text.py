"""Text from partners made safe to show: no invisible format controls. Bidi overrides and isolates
(U+202A-U+202E, U+2066-U+2069) reorder what follows them, so a title can show a different name, price
or file extension than it holds; zero-width and other format characters (Unicode category Cf) hide
text. They are removed where partner content is received, so every page, feed and search shows the
text as its characters are."""

import unicodedata

# Joiners shape emoji sequences and Persian and Indic words; they reorder nothing.
KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
KEPT_CONTROLS = {"\n", "\r", "\t"}


def _shown(character):
    category = unicodedata.category(character)
    if category == "Cf":
        return character in KEPT_FORMAT_CHARACTERS
    if category == "Cc":
        return character in KEPT_CONTROLS
    return True


def without_format_controls(text):
    """`text` without bidi controls, zero-width and other invisible format characters, or control
    characters other than line breaks and tabs."""
    if not isinstance(text, str) or text.isprintable():
        return text  # printable text holds no control (Cc) or format (Cf) character: most titles
    return "".join(character for character in text if _shown(character))
