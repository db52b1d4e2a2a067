"""The next-response deadline's migration: up, the nearest-deadline index reads the new column; down,
the column goes and the case table keeps every index on an expression (a table rebuilt on SQLite
would drop them without a word, and the inbox's orders would read the whole table again)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect, text

from ombuds.cases.models import EXPRESSION_INDEXES
from ombuds.db import make_engine
from ombuds.migrate import alembic_config, upgrade

BEFORE = "a4c8e2f6b0d3"
ON_CASES = sorted(name for name, table in EXPRESSION_INDEXES.items() if table == "case")


def _indexes(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'case'")
        )
        return {name: sql or "" for name, sql in rows}


def test_up_the_deadline_index_reads_the_column_and_down_every_index_on_an_expression_stays(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ombuds.db'}")
    upgrade(engine)
    indexes = _indexes(engine)
    assert "next_response_due_at" in indexes["ix_case_deadline_order"]
    assert "ix_case_next_response_due" in indexes

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    indexes = _indexes(engine)
    assert "next_response_due_at" not in {column["name"] for column in inspect(engine).get_columns("case")}
    assert set(ON_CASES) <= set(indexes)
    assert "next_response_due_at" not in indexes["ix_case_deadline_order"]
    assert "ix_case_next_response_due" not in indexes

    upgrade(engine)  # and up again
    assert "next_response_due_at" in _indexes(engine)["ix_case_deadline_order"]
    engine.dispose()
