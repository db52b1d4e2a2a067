from sqlalchemy import Engine, inspect

from ombuds.migrate import alembic_config


def test_migrations_have_a_single_head() -> None:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations branch: {heads}; add a merge revision"


def test_upgrade_creates_every_table(engine: Engine) -> None:
    from ombuds import models  # noqa: F401
    from ombuds.db import Base

    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_models_and_migrations_agree(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ombuds import models  # noqa: F401
    from ombuds.db import Base
    from ombuds.search.index import include_name

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models changed without a migration: {diff}"
