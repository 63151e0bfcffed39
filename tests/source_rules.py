"""Reading the apps' own source as Python syntax trees, for the rules an import contract cannot say
(who writes a table, who rounds money): each finding names the file and line, so a failing test
says exactly what to move."""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("crossborder", "catalog", "logistics", "partner_zone", "payments", "aftersales", "partners", "dashboard")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.text}"


def app_modules(*, exempt=()):
    """(relative path, syntax tree) of every app module but migrations and the `exempt` paths."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in f"/{relative}" and relative not in exempt:
                yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=relative)


def findings(check, *, exempt=()):
    """Every finding of `check(tree) -> [(node, text)]` over the apps' modules."""
    return [
        Finding(relative, node.lineno, text)
        for relative, tree in app_modules(exempt=exempt)
        for node, text in check(tree)
    ]


def parse(source):
    return ast.parse(source)


def call_name(node):
    """`create` for X.objects.create(...), `quantize` for v.quantize(...), `Decimal` for Decimal(...)."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            return node.func.attr
        if isinstance(node.func, ast.Name):
            return node.func.id
    return None


def manager_model(node):
    """`StockLevel` for StockLevel.objects.<anything>(...) chains (filter(...).update(...) too)."""
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute) and node.attr == "objects" and isinstance(node.value, ast.Name):
            return node.value.id
        node = node.func if isinstance(node, ast.Call) else node.value
    return None


def literal_strings(node):
    """The string constants anywhere inside `node` (a list of field names, say)."""
    return {child.value for child in ast.walk(node) if isinstance(child, ast.Constant) and isinstance(child.value, str)}
