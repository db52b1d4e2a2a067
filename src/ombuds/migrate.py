"""Schema migrations run from code: ``ombuds db upgrade`` and test set-up use the same path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, make_url

from ombuds.errors import OmbudsError

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaNotCurrent(OmbudsError):
    """The database is not at the schema this Ombuds was built for; the message says what to run."""


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` up to ``revision``."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def require_database_file(url: str) -> None:
    """Raise ``SchemaNotCurrent`` when ``url`` names a SQLite file that does not exist yet.

    Checked before an engine is made, since making one creates the (empty) file.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    if not Path(str(parsed.database)).exists():
        raise SchemaNotCurrent(f"there is no database at {url} yet: run `ombuds db upgrade` to create it")


def require_current_schema(engine: Engine) -> None:
    """Raise ``SchemaNotCurrent`` unless the database is at this Ombuds' head revision.

    Only ``db upgrade``, ``serve`` and ``demo`` migrate; every other command checks, so an operator
    decides when a schema changes (and takes a backup first).
    """
    where = engine.url.render_as_string(hide_password=True)
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return
    if current is None:
        raise SchemaNotCurrent(
            f"the database at {where} is empty (no revision), this Ombuds needs {head}: "
            "run `ombuds db upgrade`"
        )
    try:
        script.get_revision(current)
    except CommandError as exc:
        raise SchemaNotCurrent(
            f"the database at {where} is at revision {current}, which this Ombuds does not know "
            f"(a newer Ombuds migrated it); this Ombuds needs {head}"
        ) from exc
    raise SchemaNotCurrent(
        f"the database at {where} is at revision {current}, this Ombuds needs {head}: run `ombuds db upgrade`"
    )


def revision(message: str) -> None:
    """Autogenerate a revision from the models' changes since head (developers only)."""
    import tempfile

    from ombuds.db import make_engine

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/head.db"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        command.revision(alembic_config(url), message=message, autogenerate=True)
