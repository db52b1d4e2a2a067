"""Which mentions a stage takes next, and the marker it leaves on them: the one place markers are set
(besides detection through the sidecar, which marks the batch whose answer it wrote)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ombuds.mentions.models import Mention, Stage
from ombuds.pipeline.stages import PipelineStage


def pick_batch(
    session: Session, stage: PipelineStage, limit: int, where: Sequence[ColumnElement[bool]] = ()
) -> list[Mention]:
    """The stage's next batch, locked. Mentions the session already holds (a round's earlier
    stage took them) are used as they are: only their ids are read again, not whole rows."""
    order = (Mention.created_at, Mention.id) if stage.in_time_order else (Mention.id,)
    query = select(Mention.id).where(Mention.stage == stage.picks, *where).order_by(*order).limit(limit)
    ids = list(session.scalars(query.with_for_update(skip_locked=True)))
    held = {
        mention_id: found
        for mention_id in ids
        if (found := session.identity_map.get(identity_key(Mention, mention_id))) is not None
    }
    missing = [mention_id for mention_id in ids if mention_id not in held]
    if missing:
        held.update((mention.id, mention) for mention in load_mentions(session, missing))
    return [held[mention_id] for mention_id in ids if mention_id in held]


def load_mentions(session: Session, ids: Sequence[int], *where: ColumnElement[bool]) -> list[Mention]:
    """Mentions by id, without the payload as received: no stage reads it, and leaving it out
    keeps a batch's read small."""
    query = select(Mention).options(defer(Mention.raw)).where(Mention.id.in_(ids), *where)
    return list(session.scalars(query))


def run_and_mark(session: Session, stage: PipelineStage, batch: Sequence[Mention], now: datetime) -> None:
    """The stage's work and its marker, in the caller's transaction."""
    stage.run(session, batch, now)
    session.flush()
    mark_batch(session, batch, stage.marks)


def mark_batch(session: Session, mentions: Sequence[Mention], marker: Stage) -> None:
    """One UPDATE for the whole batch rather than one per mention through the unit of work."""
    ids = [mention.id for mention in mentions]
    session.execute(
        update(Mention).where(Mention.id.in_(ids)).values(stage=marker),
        execution_options={"synchronize_session": False},
    )
    for mention in mentions:  # what the database now holds, without marking the objects changed
        set_committed_value(mention, "stage", marker)
