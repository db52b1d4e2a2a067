"""customer name index: an FTS5 trigram table over names and handles on SQLite, pg_trgm GIN indexes
on PostgreSQL, so finding a customer by part of a name reads an index, not every customer

Revision ID: f6c2a8d4e1b7
Revises: e5b8d3f0a721
Create Date: 2026-12-01 18:20:00

Trigrams keep the meaning search had before (a name or handle holding the typed words anywhere,
any case) while an index finds the candidates. ``ombuds.search.index`` says how each is kept.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f6c2a8d4e1b7"
down_revision: str | None = "e5b8d3f0a721"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _refresh(customer_id: str) -> str:
    """Statements that write one customer's row again: its name, then its handles, apart by char(31)."""
    return (
        f"DELETE FROM customer_fts WHERE rowid = {customer_id};\n"
        "        INSERT INTO customer_fts(rowid, names) SELECT c.id, c.display_name || char(31) || "
        "coalesce((SELECT group_concat(i.handle, char(31)) FROM identity i WHERE i.customer_id = c.id), '') "
        f"FROM customer c WHERE c.id = {customer_id};"
    )


SQLITE_TRIGGERS = (
    f"CREATE TRIGGER customer_fts_insert AFTER INSERT ON customer BEGIN {_refresh('new.id')} END",
    f"CREATE TRIGGER customer_fts_update AFTER UPDATE OF display_name ON customer BEGIN {_refresh('new.id')} END",
    "CREATE TRIGGER customer_fts_delete AFTER DELETE ON customer BEGIN "
    "DELETE FROM customer_fts WHERE rowid = old.id; END",
    f"CREATE TRIGGER identity_fts_insert AFTER INSERT ON identity BEGIN {_refresh('new.customer_id')} END",
    "CREATE TRIGGER identity_fts_update AFTER UPDATE OF handle, customer_id ON identity BEGIN "
    f"{_refresh('old.customer_id')} {_refresh('new.customer_id')} END",
    f"CREATE TRIGGER identity_fts_delete AFTER DELETE ON identity BEGIN {_refresh('old.customer_id')} END",
)
SQLITE_TRIGGER_NAMES = (
    "customer_fts_insert",
    "customer_fts_update",
    "customer_fts_delete",
    "identity_fts_insert",
    "identity_fts_update",
    "identity_fts_delete",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_customer_name_trgm ON customer USING gin (lower(display_name) gin_trgm_ops)"
        )
        op.execute("CREATE INDEX ix_identity_handle_trgm ON identity USING gin (lower(handle) gin_trgm_ops)")
        return
    # a table of its own (not external content): one row holds a customer's name and all handles
    op.execute("CREATE VIRTUAL TABLE customer_fts USING fts5(names, tokenize='trigram')")
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute(
        "INSERT INTO customer_fts(rowid, names) SELECT c.id, c.display_name || char(31) || "
        "coalesce((SELECT group_concat(i.handle, char(31)) FROM identity i WHERE i.customer_id = c.id), '') "
        "FROM customer c"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_identity_handle_trgm")
        op.execute("DROP INDEX ix_customer_name_trgm")
        return
    for name in SQLITE_TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE customer_fts")
