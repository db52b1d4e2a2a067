"""The SQLite search index stays in step with the mention table, through triggers a migration made."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from ombuds.search import queries
from ombuds.search.query import parse_query


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


def test_the_customer_name_index_follows_names_handles_and_merges(engine: Engine) -> None:
    """One row a customer: its name and every handle, rewritten when any of them changes."""
    now = {"now": datetime.now(UTC)}
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO brand (id, slug, name, created_at) VALUES (1, 'b', 'B', :now)"), now
        )
        for customer_id, name in ((1, "Mara Lind"), (2, "Otto Berg")):
            connection.execute(
                text(
                    "INSERT INTO customer (id, brand_id, display_name, created_at) VALUES (:id, 1, :name, :now)"
                ),
                {"id": customer_id, "name": name, **now},
            )
        connection.execute(
            text(
                "INSERT INTO identity (id, brand_id, customer_id, channel, handle) VALUES (1, 1, 2, 'x', 'ob_rail')"
            )
        )

        def found(part: str) -> list[int]:
            return list(
                connection.scalars(
                    text("SELECT rowid FROM customer_fts WHERE names LIKE :p ORDER BY rowid"),
                    {"p": f"%{part}%"},
                )
            )

        assert found("ara li") == [1]
        assert found("OB_RA") == [2]
        assert found("berg" + chr(31) + "ob") == [2], "name and handles are apart by char(31)"
        assert found("bergob") == []
        connection.execute(text("UPDATE identity SET customer_id = 1 WHERE id = 1"))  # a merge moves it
        assert found("ob_rail") == [1]
        connection.execute(text("UPDATE customer SET display_name = 'Mara Lindqvist' WHERE id = 1"))
        assert found("lindqvist") == [1]
        assert found("ob_rail") == [1]
        connection.execute(text("DELETE FROM identity WHERE id = 1"))
        assert found("ob_rail") == []
        connection.execute(text("DELETE FROM customer WHERE id = 1"))
        assert found("mara") == []


def test_customers_are_found_by_part_of_a_handle_exactly_and_by_two_letters(engine: Engine) -> None:
    """The trigram index finds candidates; "_" is no wildcard and a short word still finds (SQLite 3.40 crashed)."""
    now = {"now": datetime.now(UTC)}
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO brand (id, slug, name, created_at) VALUES (1, 'b', 'B', :now)"), now
        )
        for customer_id, name, handle in ((1, "Mara", "mara_lind"), (2, "Otto", "maraxlind")):
            connection.execute(
                text(
                    "INSERT INTO customer (id, brand_id, display_name, created_at) VALUES (:id, 1, :name, :now)"
                ),
                {"id": customer_id, "name": name, **now},
            )
            connection.execute(
                text(
                    "INSERT INTO identity (brand_id, customer_id, channel, handle) VALUES (1, :id, 'x', :handle)"
                ),
                {"id": customer_id, "handle": handle},
            )
    with Session(engine) as session:

        def customers(typed: str) -> list[int]:
            found = queries.search(session, parse_query(typed), brand_id=1)
            return sorted(r.id for r in found.results if r.kind == "customer")

        assert customers("mara_lind") == [1]
        assert customers("xlind") == [2]
        assert customers("ot lind") == [2]
        assert customers("ra") == [1, 2]
