"""The app error codes a message handler can answer: the `<App>ErrorCode.NAME` members named in its
body and, transitively, in the project functions it calls (resolved through each module's globals).
A static reading, so it errs on the side of listing a code a path can raise."""

import ast
import inspect
import textwrap
from enum import StrEnum

PROJECT = {"crossborder", "catalog", "aftersales", "partner_zone", "logistics", "payments", "accounts"}


def _project_function(obj):
    obj = inspect.unwrap(obj) if callable(obj) else obj
    if inspect.isfunction(obj) and obj.__module__.split(".")[0] in PROJECT:
        return obj
    return None


def _resolve(node, namespace):
    """The object an expression `a.b.c` names in `namespace`, or None."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def _error_code(node, namespace):
    if not isinstance(node, ast.Attribute):
        return None
    owner = _resolve(node.value, namespace)
    if inspect.isclass(owner) and issubclass(owner, StrEnum) and owner.__name__.endswith("ErrorCode"):
        member = getattr(owner, node.attr, None)
        return str(member) if member is not None else None
    return None


def error_codes(function, *, depth=6, _seen=None):
    seen = set() if _seen is None else _seen
    function = _project_function(function)
    if function is None or function in seen or depth < 0:
        return set()
    seen.add(function)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return set()
    namespace = dict(function.__globals__)
    if function.__closure__:
        namespace.update(
            zip(function.__code__.co_freevars, (c.cell_contents for c in function.__closure__), strict=True)
        )
    codes = set()
    for node in ast.walk(tree):
        code = _error_code(node, namespace)
        if code:
            codes.add(code)
        if isinstance(node, ast.Call):
            callee = _resolve(node.func, namespace)
            if callee is not None:
                codes |= error_codes(callee, depth=depth - 1, _seen=seen)
    return codes
