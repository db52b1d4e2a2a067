"""The runner marks a whole batch with one UPDATE and never reads the mentions' raw payloads.

Marking mention by mention through the unit of work cost one UPDATE per mention in every stage.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.db import make_engine, make_session_factory
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention, Stage
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import PipelineReport, run_stage_batch
from ombuds.pipeline.stages import PipelineStage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _nothing(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
    """A stage with no work of its own, so every statement seen is the runner's."""


def test_a_batch_is_picked_without_raw_payloads_and_marked_with_one_update(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ombuds.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    with factory.begin() as session:
        brand = accounts.create_brand(session, slug="skyways", name="Skyways")
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="feed")
        incoming = []
        for index in range(30):
            created = MentionCreate(
                external_id=f"m{index}",
                author=f"customer{index}",
                text=f"@Skyways where is bag {index}?",
                created_at=T0 + timedelta(minutes=index),
                channel="x",
            )
            incoming.append(IncomingMention(created, created.model_dump_json().encode(), "json"))
        ingest_mentions(session, source=source, mentions=incoming)

    statements: list[str] = []  # one entry per statement run: executemany counts each row

    def seen(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool
    ) -> None:
        statements.extend([" ".join(statement.split())] * (len(parameters) if executemany else 1))

    event.listen(engine, "before_cursor_execute", seen)
    stage = PipelineStage("nothing", Stage.INGESTED, Stage.ENRICHED, _nothing)
    moved = run_stage_batch(factory, stage, batch_size=25, now=T0, report=PipelineReport())
    event.remove(engine, "before_cursor_execute", seen)

    assert moved == 25
    updates = [s for s in statements if s.startswith("UPDATE mention")]
    assert len(updates) == 1, updates
    picks = [s for s in statements if s.startswith("SELECT") and "FROM mention" in s]
    assert picks
    assert not [s for s in picks if "mention.raw," in s or "mention.raw " in s], picks
    with factory() as session:
        waiting = dict(session.execute(select(Mention.stage, func.count()).group_by(Mention.stage)).all())
    assert waiting == {Stage.ENRICHED: 25, Stage.INGESTED: 5}
    engine.dispose()
