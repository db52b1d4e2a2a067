"""The SQLite search index stays in step with the mention table, through triggers a migration made."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text


def test_the_index_follows_inserts_updates_and_deletes(engine: Engine) -> None:
    """A batch migration that rebuilds ``mention`` drops its triggers; this fails until it makes them again."""
    with engine.begin() as connection:
        names = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        assert {"mention_fts_insert", "mention_fts_update", "mention_fts_delete"} <= names
        connection.execute(
            text("INSERT INTO brand (id, slug, name, created_at) VALUES (1, 'b', 'B', :now)"),
            {"now": datetime.now(UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO source (id, brand_id, kind, name, config, created_at) "
                "VALUES (1, 1, 'api', 'feed', '{}', :now)"
            ),
            {"now": datetime.now(UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO mention (id, brand_id, source_id, external_id, channel, direction, is_public, "
                "author_handle, text, metrics, created_at, received_at, raw, raw_format, stage) VALUES "
                "(1, 1, 1, 'x', 'x', 'inbound', 1, 'mara', 'my suitcase is in Porto', '{}', :now, :now, x'', 'json', 'ingested')"
            ),
            {"now": datetime.now(UTC)},
        )

        def found(word: str) -> list[int]:
            return list(
                connection.scalars(
                    text("SELECT rowid FROM mention_fts WHERE mention_fts MATCH :w"), {"w": word}
                )
            )

        assert found("porto") == [1]
        assert found("mara") == [1]
        connection.execute(text("UPDATE mention SET text = 'now it is in Lisbon' WHERE id = 1"))
        assert found("porto") == []
        assert found("lisbon") == [1]
        connection.execute(text("DELETE FROM mention WHERE id = 1"))
        assert found("lisbon") == []
