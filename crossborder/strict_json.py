"""The one JSON reader for what comes from outside (the APIs, partner replies, provider webhooks):
refuses NaN and Infinity, numbers too large for a float, nesting deeper than MAX_DEPTH, and control
characters or lone surrogates in any key or string, each with a code and the place (field) it was
found. It never lets a RecursionError out, however deep the input."""

import json
import math

from django.utils.translation import gettext as _

from . import text_input

MAX_DEPTH = 64


class JSONRefused(ValueError):
    """A body that is not acceptable JSON; `code` and `field` say why and where."""

    def __init__(self, code, detail, *, field=None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field


class _RefusedNumber:
    """A number the reader will not take, kept in place while parsing so that the walk after it can
    name where it was (json's hooks do not know the path)."""

    def __init__(self, detail):
        self.detail = detail


def _constant(name):
    return _RefusedNumber(_("%(name)s is not a number JSON allows.") % {"name": name})


def _finite_float(text):
    number = float(text)
    if not math.isfinite(number):
        return _RefusedNumber(_("The number %(text)s is too large.") % {"text": text[:40]})
    return number


def _field(path):
    return ".".join(str(part) for part in path) or None


def _check(value, *, max_depth):
    """Walk the parsed value without recursion: depth and text of every key and string."""
    stack = [(value, (), 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            if not text_input.is_clean(node):
                raise JSONRefused(text_input.CODE, str(text_input.MESSAGE), field=_field(path))
            continue
        if isinstance(node, _RefusedNumber):
            raise JSONRefused("invalid_number", node.detail, field=_field(path))
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            raise JSONRefused("too_deep", _("The JSON is nested deeper than %(depth)s levels.") % {"depth": max_depth})
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            if isinstance(key, str) and not text_input.is_clean(key):
                raise JSONRefused(text_input.CODE, str(text_input.MESSAGE), field=_field(path) or "?")
            stack.append((child, (*path, key), depth + 1))


def _plain_text(text, *, decoded):
    """Whether no string or key of this JSON text can be unclean: none of the escapes that make a
    control character or a lone surrogate (\\b, \\f, \\u), and no such character written as it is.
    Decoded UTF-8 holds no surrogate, and json refuses a raw control character anywhere."""
    if "\\u" in text or "\\b" in text or "\\f" in text:
        return False
    return decoded or text_input.is_clean(text)


def _shallow(value, max_depth):
    """Whether no container is nested deeper than `max_depth` (the root is at depth 1)."""
    stack = [(value, 1)] if type(value) in (dict, list) else []
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return False
        for child in node.values() if type(node) is dict else node:
            if type(child) in (dict, list):
                stack.append((child, depth + 1))
    return True


def loads(data, *, max_depth=MAX_DEPTH):
    """Parse bytes or text as JSON under the rules above; raises JSONRefused (a ValueError).

    Most bodies are plainly acceptable: no refused number, no suspect character or escape in the
    text, nesting within bounds; they skip the walk over every key and string (a third of the
    time a partner's feed page takes to read). Any other body is walked, to say what is wrong
    and where."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    except UnicodeDecodeError:
        raise JSONRefused("parse_error", _("The body is not UTF-8.")) from None
    refused = []

    def constant(name):
        refused.append(name)
        return _constant(name)

    def finite_float(text):
        number = _finite_float(text)
        if isinstance(number, _RefusedNumber):
            refused.append(text)
        return number

    try:
        value = json.loads(text, parse_constant=constant, parse_float=finite_float)
    except RecursionError:
        raise JSONRefused(
            "too_deep", _("The JSON is nested deeper than %(depth)s levels.") % {"depth": max_depth}
        ) from None
    except JSONRefused:
        raise
    except ValueError as exc:
        raise JSONRefused("parse_error", _("The body is not valid JSON: %(error)s") % {"error": exc}) from None
    plain = _plain_text(text, decoded=isinstance(data, bytes | bytearray))
    if refused or not plain or not _shallow(value, max_depth):
        _check(value, max_depth=max_depth)
    return value
