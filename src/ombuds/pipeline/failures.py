"""Mentions a stage failed on, sent back to wait for that stage once the cause is mended.

A stage that raises on one mention alone marks it ``failed`` with a ``pipeline.failed`` event
naming the stage (``runner_inline``), so the rest of the batch goes on. The mention is kept,
but nothing picks it again: ``ombuds pipeline retry`` puts each back at the marker its stage
picks, and the runner takes it as new. The stages are idempotent, so one that had half-run
repeats nothing; a mention that fails again is marked failed again, with a new event.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.db import chunks
from ombuds.event_payloads import EventKind
from ombuds.events import Event, record_event
from ombuds.mentions.models import Mention, Stage
from ombuds.pipeline.stages import STAGES

_PICKS = {stage.name: stage.picks for stage in STAGES}


def retry_failed(session: Session, *, brand_id: int | None = None) -> dict[str, int]:
    """Send every failed mention (of one brand, or all) back to the stage it failed at; answers
    how many went back to each stage."""
    query = select(Mention).where(Mention.stage == Stage.FAILED)
    if brand_id is not None:
        query = query.where(Mention.brand_id == brand_id)
    failed = list(session.scalars(query.order_by(Mention.id).with_for_update()))
    sent: dict[str, int] = {}
    for mentions in chunks(failed):
        stage_of = _failed_at(session, [mention.id for mention in mentions])
        for mention in mentions:
            name = stage_of.get(mention.id, "")
            if name not in _PICKS:  # no event to say: from the start, which the stages allow
                name = STAGES[0].name
            mention.stage = _PICKS[name]
            record_event(
                session,
                brand_id=mention.brand_id,
                kind=EventKind.PIPELINE_RETRIED,
                subject_type="mention",
                subject_id=mention.id,
                data={"stage": name},
            )
            sent[name] = sent.get(name, 0) + 1
    return sent


def _failed_at(session: Session, ids: list[int]) -> dict[int, str]:
    """The stage each mention last failed at, from its newest ``pipeline.failed`` event."""
    rows = session.execute(
        select(Event.subject_id, Event.data)
        .where(
            Event.kind == EventKind.PIPELINE_FAILED,
            Event.subject_type == "mention",
            Event.subject_id.in_(ids),
        )
        .order_by(Event.id)
    )
    return {subject_id: str((data or {}).get("stage", "")) for subject_id, data in rows}
