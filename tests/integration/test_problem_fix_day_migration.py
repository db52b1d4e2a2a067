"""A fix day stored before days were the brand's (23:59 UTC) becomes the end of that day where the brand
is, so Sydney's "4 December" still reads the 4th; other moments stay; the downgrade puts it back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.actions import create_brand
from ombuds.clock import as_utc
from ombuds.db import make_engine
from ombuds.migrate import alembic_config, upgrade
from ombuds.problems.models import Problem
from ombuds.routing.models import SlaPolicySetting

BEFORE = "c2f7a9e4b8d1"
OLD_END_OF_THE_4TH = datetime(2026, 12, 4, 23, 59, tzinfo=UTC)
AT_TEN = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def _fix_days(session: Session) -> dict[str, datetime]:
    session.expire_all()
    rows = session.execute(select(Problem.title, Problem.expected_fix_at)).all()
    return {title: as_utc(moment) for title, moment in rows if moment is not None}


def test_old_fix_days_become_the_end_of_the_same_day_in_the_brand_s_zone(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, BEFORE)
    with Session(engine) as session:
        sydney = create_brand(session, slug="sydney", name="Sydney Air")
        plain = create_brand(session, slug="plain", name="Plain")
        session.add(SlaPolicySetting(brand_id=sydney.id, timezone="Australia/Sydney"))
        session.add_all(
            [
                Problem(brand_id=sydney.id, title="old day", expected_fix_at=OLD_END_OF_THE_4TH),
                Problem(brand_id=sydney.id, title="a moment", expected_fix_at=AT_TEN),
                Problem(brand_id=plain.id, title="utc day", expected_fix_at=OLD_END_OF_THE_4TH),
                Problem(brand_id=plain.id, title="no day"),
            ]
        )
        session.commit()

        upgrade(engine)
        days = _fix_days(session)
        assert days["old day"] == datetime(2026, 12, 4, 12, 59, 59, 999999, tzinfo=UTC)  # midnight in Sydney
        assert days["a moment"] == AT_TEN
        assert days["utc day"] == datetime(2026, 12, 4, 23, 59, 59, 999999, tzinfo=UTC)
        assert "no day" not in days

        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, BEFORE)
        days = _fix_days(session)
        assert days["old day"] == OLD_END_OF_THE_4TH
        assert days["a moment"] == AT_TEN
        assert days["utc day"] == OLD_END_OF_THE_4TH
    engine.dispose()
