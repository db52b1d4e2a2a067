"""The incident tables have one writer: ``incidents/actions.py``; the other modules decide and call it."""

from __future__ import annotations

import ast
from pathlib import Path

import ombuds.incidents

WRITES = {"add", "add_all", "delete", "merge", "bulk_save_objects", "bulk_insert_mappings"}


def test_only_the_actions_module_adds_or_deletes_rows() -> None:
    package = Path(ombuds.incidents.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "actions.py" and path.parent == package:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "session"
            ):
                found.append(f"{path.relative_to(package)}:{node.lineno} session.{node.func.attr}")
    assert found == [], "incident rows written outside incidents/actions.py: " + ", ".join(found)
