"""search index: FTS5 over mentions on SQLite, a tsvector column with a GIN index on PostgreSQL

Revision ID: c9d1e5f7a3b2
Revises: b7e3a9d4c215
Create Date: 2026-12-01 17:00:00

The two indexes are written out here rather than taken from the models: neither fits both
databases, and ``ombuds.search.index`` says why each is kept in step the way it is.
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'c9d1e5f7a3b2'
down_revision: str | None = 'b7e3a9d4c215'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER mention_fts_insert AFTER INSERT ON mention BEGIN
        INSERT INTO mention_fts(rowid, text, author_handle) VALUES (new.id, new.text, new.author_handle);
    END""",
    """CREATE TRIGGER mention_fts_delete AFTER DELETE ON mention BEGIN
        INSERT INTO mention_fts(mention_fts, rowid, text, author_handle)
        VALUES ('delete', old.id, old.text, old.author_handle);
    END""",
    """CREATE TRIGGER mention_fts_update AFTER UPDATE OF text, author_handle ON mention BEGIN
        INSERT INTO mention_fts(mention_fts, rowid, text, author_handle)
        VALUES ('delete', old.id, old.text, old.author_handle);
        INSERT INTO mention_fts(rowid, text, author_handle) VALUES (new.id, new.text, new.author_handle);
    END""",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE mention ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            "(to_tsvector('english'::regconfig, author_handle || ' ' || text)) STORED"
        )
        op.execute("CREATE INDEX ix_mention_search_vector ON mention USING gin (search_vector)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE mention_fts USING fts5(text, author_handle, content='mention', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute("INSERT INTO mention_fts(mention_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_mention_search_vector")
        op.execute("ALTER TABLE mention DROP COLUMN search_vector")
        return
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER mention_fts_{name}")
    op.execute("DROP TABLE mention_fts")
