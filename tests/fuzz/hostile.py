"""Hostile values the fuzz tests put into otherwise generated requests and forms: control
characters and lone surrogates, numbers beyond every column, non-finite numbers, and nesting far
beyond any sane depth. Each one caused a server error once (issue 13)."""

import json

from hypothesis import strategies as st

HOSTILE_TEXT = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\x1b[2J",
    "\x07\x08",
    "\x7f",
    "²",
    "١٢٣",
    "9" * 40,
    "-1",
    "1e999",
    "NaN",
    "0x10",
    " ",
    "",
    "\u202eevil",
]
HOSTILE_NUMBERS = [2**31, 2**32, 2**63, -(2**63) - 1, 10**40, -(10**40), 1e308, -0.0, 0.5]
DEPTHS = [65, 300, 5000, 100_000]

hostile_text = st.sampled_from(HOSTILE_TEXT) | st.text(min_size=1, max_size=8)
hostile_number = st.sampled_from(HOSTILE_NUMBERS)
hostile_value = hostile_text | hostile_number


def _sendable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# A URL carries bytes: a lone surrogate cannot be in one (its UTF-8-like bytes are, as %ED%A0%80).
url_text = hostile_text.filter(_sendable) | st.just("%ED%A0%80")
url_value = url_text | hostile_number


def nested(depth, inner="1"):
    """Raw JSON text nested `depth` deep, built without recursion."""
    return "[" * depth + inner + "]" * depth


def leaves(value, path=()):
    """Paths to every leaf (and empty container) of a JSON value, without recursion."""
    found, stack = [], [(value, path)]
    while stack:
        node, where = stack.pop()
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        children = list(children)
        if not children:
            found.append(where)
        for key, child in children:
            stack.append((child, (*where, key)))
    return sorted(found, key=repr)


def replaced(value, path, new):
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return copy


@st.composite
def mutated_json_body(draw, value):
    """The body as JSON bytes, with one hostile change: a leaf set to a hostile value, a leaf
    nested deep, or a NaN/Infinity constant."""
    kind = draw(st.sampled_from(["leaf", "deep", "constant", "none"]))
    if kind == "none":
        return json.dumps(value).encode()
    paths = leaves(value)
    path = draw(st.sampled_from(paths)) if paths else ()
    if kind == "leaf":
        return json.dumps(replaced(value, path, draw(hostile_value))).encode()
    marker = "__HOSTILE__"
    text = json.dumps(replaced(value, path, marker))
    raw = (
        nested(draw(st.sampled_from(DEPTHS)))
        if kind == "deep"
        else draw(st.sampled_from(["NaN", "Infinity", "-Infinity"]))
    )
    return text.replace(json.dumps(marker), raw, 1).encode()
