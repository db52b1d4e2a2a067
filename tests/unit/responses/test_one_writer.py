"""The outbox (the ``reply`` table) has one writer, the responses package: other packages may read
it, by its name where they sit below it (cases, surveys), but a survey taken back or a case
reopened only marks its own rows, and the outbox acts on them. Erasing a customer
(``privacy/actions.py``) is the one other place that deletes replies."""

from __future__ import annotations

import ast
from pathlib import Path

import ombuds

ALLOWED = {Path("privacy/actions.py")}
STATEMENTS = {"insert", "update", "delete"}


def _reply_names(tree: ast.AST) -> set[str]:
    """``Reply`` and every name a module binds to ``table("reply", ...)``."""
    names = {"Reply"}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "") == "table"
            and node.value.args
            and isinstance(node.value.args[0], ast.Constant)
            and node.value.args[0].value == "reply"
        ):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


def _writes(node: ast.AST, names: set[str]) -> bool:
    if not isinstance(node, ast.Call) or not node.args:
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    first = node.args[0]
    if name in STATEMENTS:
        return isinstance(first, ast.Name) and first.id in names
    if name in {"add", "add_all"} and isinstance(first, ast.Call):
        return getattr(first.func, "id", "") == "Reply"
    return False


def test_only_the_responses_package_writes_the_outbox() -> None:
    package = Path(ombuds.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in {"responses", "migrations"} or relative in ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _reply_names(tree)
        found += [f"{relative}:{node.lineno}" for node in ast.walk(tree) if _writes(node, names)]  # type: ignore[attr-defined]
    assert found == [], "the reply table written outside the responses package: " + ", ".join(found)
