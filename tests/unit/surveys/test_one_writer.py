"""Surveys have one writer, ``surveys/actions.py``: the outbox claims an offer and records what became
of its link through it, rather than updating the rows itself. Erasing a customer
(``privacy/actions.py``) is the one other place that deletes them."""

from __future__ import annotations

import ast
from pathlib import Path

import ombuds

ALLOWED = {Path("surveys/actions.py"), Path("privacy/actions.py")}
STATEMENTS = {"insert", "update", "delete"}


def _writes_survey(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    first = node.args[0] if node.args else None
    if name in STATEMENTS and isinstance(first, ast.Name) and first.id == "Survey":
        return True
    if name in {"add", "add_all"} and isinstance(first, ast.Call):
        return getattr(first.func, "id", "") == "Survey"
    return False


def _assigns_survey_attribute(node: ast.AST) -> bool:
    """``survey.delivery = ...`` and the like, on a variable named for a survey."""
    if not isinstance(node, ast.Assign):
        return False
    return any(
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == "survey"
        for target in node.targets
    )


def test_only_the_surveys_actions_write_survey_rows() -> None:
    package = Path(ombuds.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative in ALLOWED or relative.parts[0] == "migrations":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _writes_survey(node) or _assigns_survey_attribute(node):
                found.append(f"{relative}:{getattr(node, 'lineno', '?')}")
    assert found == [], "survey rows written outside surveys/actions.py: " + ", ".join(found)
