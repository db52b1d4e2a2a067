"""Alembic environment: the URL comes from the caller (``ombuds db upgrade``) or the settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ombuds import models  # noqa: F401  (registers every table)
from ombuds.db import Base, make_engine
from ombuds.search.index import include_name
from ombuds.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,  # the search index is not in the models (search/index.py)
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = make_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
