"""Purges run in bounded batches, one transaction each, so the database is never held for long."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.clock import utcnow
from ombuds.privacy.actions import PurgeCounts, count_old_mentions, old_mention_ids, purge_batch
from ombuds.privacy.models import RetentionPolicy
from ombuds.privacy.retention import BATCH_SIZE, PURGE_INTERVAL, months_before

logger = logging.getLogger(__name__)


def purge_brand(
    factory: sessionmaker[Session],
    *,
    brand_id: int,
    months: int,
    now: datetime | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[PurgeCounts], None] | None = None,
) -> PurgeCounts:
    """Delete the brand's messages older than ``months`` (rolled up first); a dry run only counts them.

    ``on_batch`` hears of each committed batch (the benchmark times them).
    """
    cutoff = months_before(now or utcnow(), months)
    total = PurgeCounts()
    if dry_run:
        with factory() as session:
            total.mentions = count_old_mentions(session, brand_id=brand_id, cutoff=cutoff)
        return total
    while True:
        with factory.begin() as session:
            ids = old_mention_ids(session, brand_id=brand_id, cutoff=cutoff, limit=batch_size)
            if not ids:
                policy = session.get(RetentionPolicy, brand_id)
                if policy is not None:
                    policy.last_purged_at = now or utcnow()
                break
            done = purge_batch(session, brand_id=brand_id, ids=ids, cutoff=cutoff)
        total.add(done)
        if on_batch is not None:
            on_batch(done)
    return total


def run_due_purges(factory: sessionmaker[Session], *, now: datetime | None = None) -> dict[int, PurgeCounts]:
    """Purge each brand with a retention whose last purge is a day old or more (the runner calls this)."""
    moment = now or utcnow()
    with factory() as session:
        due = [
            (policy.brand_id, policy.months)
            for policy in session.scalars(select(RetentionPolicy).where(RetentionPolicy.months.is_not(None)))
            if policy.months is not None
            and (policy.last_purged_at is None or moment - policy.last_purged_at >= PURGE_INTERVAL)
        ]
    done: dict[int, PurgeCounts] = {}
    for brand_id, months in due:
        done[brand_id] = purge_brand(factory, brand_id=brand_id, months=months, now=moment)
        if done[brand_id].mentions:
            logger.info("retention purge of brand %s: %s", brand_id, done[brand_id])
    return done
