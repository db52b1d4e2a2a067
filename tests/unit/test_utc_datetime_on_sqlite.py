"""Moments stored as text on SQLite come back as the same aware UTC moments, whoever wrote the text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, create_engine, insert, select, text

from ombuds.db import UtcDateTime

metadata = MetaData()
moments = Table("moments", metadata, Column("id", Integer, primary_key=True), Column("at", UtcDateTime()))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'moments.db'}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_moments_in_any_zone_written_in_one_batch_read_back_as_the_same_utc_moments(engine: Engine) -> None:
    now = datetime(2026, 12, 4, 6, 47, 10, 123456, tzinfo=UTC)
    paris = datetime(2026, 12, 4, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    written = [now, now, paris, now, None, datetime(2026, 1, 1, tzinfo=UTC), now]
    with engine.begin() as connection:
        connection.execute(insert(moments), [{"id": i, "at": at} for i, at in enumerate(written)])
        stored = list(connection.execute(select(moments.c.at).order_by(moments.c.id)).scalars())
        texts = list(connection.execute(text("SELECT at FROM moments ORDER BY id")).scalars())
    assert stored == written
    assert all(at.tzinfo is UTC for at in stored if at is not None)
    assert texts[:3] == [
        "2026-12-04 06:47:10.123456",
        "2026-12-04 06:47:10.123456",
        "2026-12-04 07:00:00.000000",
    ]


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        ("2026-12-04 06:47:10", datetime(2026, 12, 4, 6, 47, 10, tzinfo=UTC)),
        ("2026-12-04", datetime(2026, 12, 4, tzinfo=UTC)),
        ("2026-12-04 06:47:10+02:00", datetime(2026, 12, 4, 4, 47, 10, tzinfo=UTC)),
        ("2026-12-04T06:47:10Z", datetime(2026, 12, 4, 6, 47, 10, tzinfo=UTC)),
    ],
)
def test_text_written_by_other_hands_reads_as_an_aware_utc_moment(
    engine: Engine, stored: str, read: datetime
) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO moments (id, at) VALUES (1, :at)"), {"at": stored})
        found = connection.execute(select(moments.c.at)).scalar_one()
    assert found == read
    assert found.tzinfo is UTC


def test_a_naive_moment_is_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive datetime"), engine.begin() as connection:
        connection.execute(insert(moments), [{"id": 1, "at": datetime(2026, 12, 4)}])
