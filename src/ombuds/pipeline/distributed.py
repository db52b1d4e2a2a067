"""What the distributed runner's tasks do, apart from how they travel (``runner_celery``).

Two kinds of work, running the stages as the embedded runner does (``run_stage_batch``, and
``run_round`` for a brand's ordered stages together), so a batch and its markers share one
transaction and a failing mention fails alone:

* the stages that need no order (analysis) run on a batch of mention ids, on any worker, many
  at a time;
* the stages that need one ordered view of a brand's stream (threading, routing, detection) run
  as one consumer per brand: whoever holds the brand's PostgreSQL advisory lock drains the brand
  in time order, and the others leave it to them.

A task only says where to look; the stage markers in the database say what is done. A task run
twice, or a task lost with Redis, changes nothing: the first finds its mentions already marked
(or locked by the other, ``SKIP LOCKED``), and the sweep sends the second again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ombuds.clock import Clock, utcnow
from ombuds.mentions.models import Mention
from ombuds.pipeline.runner_inline import PipelineReport, run_round, run_stage_batch
from ombuds.pipeline.stages import STAGES, PipelineStage

log = logging.getLogger(__name__)

#: Stages that take any mentions in any order: they run on batches of ids.
FREE_STAGES: tuple[PipelineStage, ...] = tuple(stage for stage in STAGES if not stage.in_time_order)
#: Stages that must see a brand's stream in the order it happened: one consumer per brand.
ORDERED_STAGES: tuple[PipelineStage, ...] = tuple(stage for stage in STAGES if stage.in_time_order)

#: The first key of the brands' advisory locks (the second is the brand id); "OB", apart from others.
BRAND_LOCK_CLASS = 0x4F42


class PendingMarks(Protocol):
    """A flag per brand: "new work arrived for this brand", set before its lock is tried."""

    def mark(self, brand_id: int) -> None: ...
    def clear(self, brand_id: int) -> None: ...
    def is_marked(self, brand_id: int) -> bool: ...


def require_postgresql(engine: Engine) -> None:
    """The distributed runner shares work through row locks and advisory locks SQLite lacks."""
    backend = engine.url.get_backend_name()
    if backend != "postgresql":
        raise RuntimeError(
            f"the distributed runner (OMBUDS_RUNNER=celery, `ombuds worker`) needs PostgreSQL, and "
            f"OMBUDS_DATABASE_URL names a {backend} database; set it to a postgresql+psycopg:// URL, "
            "or use the embedded runner (OMBUDS_RUNNER=embedded, the default)"
        )


def advance_ids(
    factory: sessionmaker[Session], ids: Sequence[int], *, now: Clock = utcnow, report: PipelineReport
) -> int:
    """Run the free stages on these mentions, those still waiting for them; returns how many moved."""
    if not ids:
        return 0
    moved = 0
    for stage in FREE_STAGES:
        moved += run_stage_batch(
            factory, stage, batch_size=len(ids), now=now(), report=report, where=[Mention.id.in_(ids)]
        )
    return moved


@contextmanager
def brand_partition(engine: Engine, brand_id: int) -> Iterator[bool]:
    """Hold the brand's partition for the block when no other consumer does; yields whether it did.

    A session-level advisory lock on a connection of its own: PostgreSQL releases it when that
    connection ends, so a worker killed mid-drain never leaves a brand locked.
    """
    with engine.connect() as connection:
        held = bool(
            connection.execute(select(func.pg_try_advisory_lock(BRAND_LOCK_CLASS, brand_id))).scalar_one()
        )
        connection.commit()
        try:
            yield held
        finally:
            if held:
                try:
                    connection.execute(select(func.pg_advisory_unlock(BRAND_LOCK_CLASS, brand_id)))
                    connection.commit()
                except DBAPIError:  # the server went away, and the lock with its session
                    log.warning("could not release brand %s's partition; its connection is gone", brand_id)
                    connection.invalidate()


def drain_brand(
    factory: sessionmaker[Session],
    brand_id: int,
    *,
    batch_size: int,
    now: Clock = utcnow,
    report: PipelineReport,
) -> int:
    """Run the ordered stages on the brand's waiting mentions until none waits; the caller holds it."""
    total = 0
    while True:
        # One round (one transaction) for the three stages: one commit a batch, and the
        # dashboard's hooks refresh a case once for the chain, as in the embedded runner.
        moved = run_round(
            factory,
            ORDERED_STAGES,
            batch_size=batch_size,
            now=now(),
            report=report,
            where=[Mention.brand_id == brand_id],
        )
        total += moved
        if moved == 0:
            return total


def advance_brand(
    factory: sessionmaker[Session],
    marks: PendingMarks,
    brand_id: int,
    *,
    batch_size: int,
    now: Clock = utcnow,
    report: PipelineReport,
) -> int:
    """Drain the brand's ordered stages, unless another consumer holds the brand (then it will).

    The mark closes the gap between "the holder found nothing more" and "the holder let go": a
    caller marks the brand before trying its lock, the holder clears the mark only while it holds
    the lock and looks at it again after letting go.
    """
    engine = factory.kw["bind"]
    marks.mark(brand_id)
    total = 0
    while True:
        with brand_partition(engine, brand_id) as held:
            if not held:
                return total
            marks.clear(brand_id)
            total += drain_brand(factory, brand_id, batch_size=batch_size, now=now, report=report)
        if not marks.is_marked(brand_id):
            return total


def waiting_batches(
    session: Session,
    *,
    after_id: int = 0,
    accepted_before: datetime | None = None,
    batch_size: int,
    limit: int,
) -> tuple[list[tuple[int, list[int]]], int]:
    """Mentions waiting for the first stage, as (brand, ids) batches, and the last id seen.

    ``after_id`` skips what was already handed out; ``accepted_before`` keeps only mentions that
    have waited since then (the sweep's "stuck").
    """
    query = select(Mention.id, Mention.brand_id).where(
        Mention.stage == FREE_STAGES[0].picks, Mention.id > after_id
    )
    if accepted_before is not None:
        query = query.where(Mention.received_at < accepted_before)
    rows = session.execute(query.order_by(Mention.id).limit(limit)).all()
    by_brand: dict[int, list[int]] = defaultdict(list)
    for mention_id, brand_id in rows:
        by_brand[brand_id].append(mention_id)
    batches = [
        (brand_id, ids[start : start + batch_size])
        for brand_id, ids in by_brand.items()
        for start in range(0, len(ids), batch_size)
    ]
    return batches, (rows[-1][0] if rows else after_id)


def brands_waiting_in_order(session: Session) -> list[int]:
    """Brands with mentions waiting for an ordered stage: each needs its consumer to run."""
    picks = [stage.picks for stage in ORDERED_STAGES]
    return list(
        session.scalars(
            select(Mention.brand_id).where(Mention.stage.in_(picks)).distinct().order_by(Mention.brand_id)
        )
    )
