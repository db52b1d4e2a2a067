"""Where the search index lives on each database, and how a query reaches it.

* SQLite: ``mention_fts``, an FTS5 table with external content (the ``mention`` table itself), so
  the text is stored once. Triggers on ``mention`` keep it in step, not the writer in Python: rows
  also change by bulk inserts, cascading deletes and migrations, and a trigger sees every one.
  A batch migration that rebuilds ``mention`` on SQLite drops its triggers: such a migration
  must create them again (``tests/unit/test_search_index.py`` fails until it does).
* PostgreSQL: ``mention.search_vector``, a stored generated ``tsvector`` column with a GIN index;
  the database computes it on every write, and ranking reads it without parsing the text again.
* Customers by part of a name or handle: on SQLite ``customer_fts``, an FTS5 trigram table with one
  row per customer (its name and handles apart by ``char(31)``, which no query holds, so no match
  spans two of them), kept in step by triggers on ``customer`` and ``identity``; on PostgreSQL
  pg_trgm GIN indexes on ``lower(display_name)`` and ``lower(handle)``. Both answer ``LIKE
  '%word%'`` from the index, the meaning the search had when it read every customer.

Both index the author's handle with the text and stem English words (porter / ``english``), so
"delayed" finds "delay". Neither is part of the ORM metadata (one exists on one database only):
``is_search_index`` tells Alembic's comparison to leave them alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Float, func, literal_column, table
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.sql import column

from ombuds.cases.models import EXPRESSION_INDEXES
from ombuds.search.query import SearchQuery

FTS_TABLE = "mention_fts"
CUSTOMER_FTS_TABLE = "customer_fts"
TRIGRAM_INDEXES = {"ix_customer_name_trgm": "customer", "ix_identity_handle_trgm": "identity"}
VECTOR_COLUMN = "search_vector"
TS_CONFIG = "english"

fts = table(FTS_TABLE, column("rowid"), column("rank", Float))
#: the FTS5 table's own column, the left side of ``MATCH``
fts_column: ColumnElement[Any] = literal_column(FTS_TABLE)
customer_fts = table(CUSTOMER_FTS_TABLE, column("rowid"), column("names"))
vector = literal_column(f"mention.{VECTOR_COLUMN}", TSVECTOR)


def is_search_index(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """Whether a name Alembic reflects is the search index (its tables, its column, its index)."""
    if name is None:
        return False
    if type_ == "table":
        return any(name == t or name.startswith(t + "_") for t in (FTS_TABLE, CUSTOMER_FTS_TABLE))
    if type_ == "index" and name in TRIGRAM_INDEXES:
        return parent_names.get("table_name") == TRIGRAM_INDEXES[name]
    if type_ in ("column", "index"):
        return (
            name in (VECTOR_COLUMN, "ix_mention_search_vector")
            and parent_names.get("table_name") == "mention"
        )
    return False


def include_name(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """Alembic's ``include_name``: compare everything but the search index and the indexes on
    expressions (``cases.models.EXPRESSION_INDEXES``) with the models."""
    if type_ == "index" and name in EXPRESSION_INDEXES:
        return parent_names.get("table_name") != EXPRESSION_INDEXES[name]
    return not is_search_index(name, type_, parent_names)


def fts_match(query: SearchQuery) -> str:
    """The FTS5 MATCH expression: every word and phrase as a quoted string, all required.

    Quoting makes each a literal string whatever it holds (FTS5 doubles ``"`` inside one);
    the parser lets only word characters through anyway.
    """
    parts = [_quoted(word) for word in query.words]
    parts += [_quoted(" ".join(phrase)) for phrase in query.phrases]
    # a from: handle is looked up in the handle column; the exact handle is compared after
    parts += [f"author_handle : {_quoted(handle)}" for handle in query.indexed_handles]
    return " AND ".join(parts)


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _all(parts: Sequence[ColumnElement[Any]]) -> ColumnElement[Any] | None:
    """Every part required (``&&``); None for none."""
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.op("&&")(part)
    return combined


def ts_query(query: SearchQuery) -> ColumnElement[Any]:
    """The PostgreSQL tsquery: every word and phrase a bound parameter, all required."""
    config: ColumnElement[Any] = literal_column(f"'{TS_CONFIG}'::regconfig")
    split: list[ColumnElement[Any]] = [func.plainto_tsquery(config, word) for word in query.words]
    split += [func.phraseto_tsquery(config, " ".join(phrase)) for phrase in query.phrases]
    # as typed too: the index keeps an email, a host or "+1" as one lexeme where the words split
    # at punctuation ask for its parts (SQLite's tokenizer splits both alike)
    typed: list[ColumnElement[Any]] = [func.plainto_tsquery(config, text) for text in query.typed_words]
    typed += [func.phraseto_tsquery(config, text) for text in query.typed_phrases]
    text = _all(split)
    if text is not None and typed and query.typed_apart:  # else the same query: rank it once
        text = text.op("||")(_all(typed))
    # the handle's words are in the vector too (handle and text are indexed together); the exact
    # handle is compared after
    handles: list[ColumnElement[Any]] = [func.plainto_tsquery(config, h) for h in query.indexed_handles]
    combined = _all([text, *handles] if text is not None else handles)
    assert combined is not None  # only asked when the query uses the index
    return combined


def ts_condition(query: SearchQuery) -> ColumnElement[bool]:
    return vector.op("@@", return_type=Boolean)(ts_query(query))


def ts_rank(query: SearchQuery) -> ColumnElement[float]:
    # negated so that, as with FTS5's bm25, a smaller rank is a better match
    return -func.ts_rank(vector, ts_query(query), type_=Float)
