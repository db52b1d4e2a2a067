"""Re-reading a burst's mentions with the accurate model once calm returns.

In a burst the ``enrich`` stage reads with the fast path (``stages.enrich``), so a brand with an
accurate model has mentions whose sentiment, category or intent rows carry the fast model's
version. When no mention waits, the runner hands this module one bounded batch at a time: the
newest such mentions first (they belong to the cases the desk is working now; a burst's oldest
mentions are the likeliest to be answered already), re-read by the accurate engine, their rows
rewritten by ``enrichment.actions.record_reread`` (an ``enrichment.reread`` event where a label
changed), and their open cases routed again (``routing.actions.route_again``). A case's mood and
category are read from the rows, so they follow at once.

Which mentions: those the ``enrich`` stage noted (``reread_waiting``) when it read them with the
fast path while their brand had an accurate model, once they have passed the whole chain (so no
stage is working on them). Only what waits is in that table, so looking for work costs nothing
when there is none. Each batch is one transaction: a crash leaves the batch's rows and notes as
they were, and the next run picks the same mentions; a re-read mention's note goes with it.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, defer, sessionmaker

from ombuds.enrichment.actions import record_analysis_pass, record_reread
from ombuds.enrichment.brand_engines import load_engine_for_brand
from ombuds.enrichment.models import RereadWaiting
from ombuds.enrichment.paths import REREAD
from ombuds.mentions.models import Mention, Stage
from ombuds.pipeline.stages import facts_from_mention, recent_texts_of_authors
from ombuds.routing.actions import route_again

log = logging.getLogger(__name__)

#: The analyzers an accurate model may read (its heads); the others are the same on both paths.
ACCURATE_ANALYZERS = ("sentiment", "category", "intent")
#: Said in the reasons of a case routed again after a re-read.
REROUTE_REASON = "re-read by the accurate model"


def _waiting_ids(session: Session, *, brand_id: int, limit: int) -> list[int]:
    """Up to ``limit`` of the brand's mentions waiting for a re-read, newest first."""
    return list(
        session.scalars(
            select(RereadWaiting.mention_id)
            .join(Mention, Mention.id == RereadWaiting.mention_id)
            .where(RereadWaiting.brand_id == brand_id, Mention.stage == Stage.DETECTED)
            .order_by(RereadWaiting.mention_id.desc())
            .limit(limit)
        )
    )


def _accurate_versions(session: Session, brand_id: int) -> dict[str, str]:
    """Analyzer → the version the brand's accurate engine stamps, where it differs from the fast path."""
    accurate = load_engine_for_brand(session, brand_id, use_accurate=True).versions
    fast = load_engine_for_brand(session, brand_id, use_accurate=False).versions
    return {
        analyzer: accurate[analyzer]
        for analyzer in ACCURATE_ANALYZERS
        if analyzer in accurate and accurate[analyzer] != fast.get(analyzer)
    }


def reread_batch(session: Session, *, now: datetime, limit: int) -> int:
    """Re-read up to ``limit`` mentions the fast path read in a burst; returns how many were re-read."""
    brands = session.scalars(select(RereadWaiting.brand_id).distinct().order_by(RereadWaiting.brand_id))
    for brand_id in list(brands):
        ids = _waiting_ids(session, brand_id=brand_id, limit=limit)
        if not ids or not _accurate_versions(session, brand_id):
            continue  # none has passed the chain yet, or the model's folder is gone (logged on loading)
        mentions = list(
            session.scalars(
                select(Mention)
                .options(defer(Mention.raw))
                .where(Mention.id.in_(ids), Mention.stage == Stage.DETECTED)
                .order_by(Mention.id.desc())
                .with_for_update(skip_locked=True)
            )
        )
        if not mentions:
            continue
        engine = load_engine_for_brand(session, brand_id, use_accurate=True)
        recent = recent_texts_of_authors(session, mentions)
        started = time.perf_counter()
        results = engine.analyze([facts_from_mention(m, recent.get(m.id, ())) for m in mentions])
        seconds = time.perf_counter() - started
        findings = {
            mention.id: [finding for finding in found if finding.analyzer in ACCURATE_ANALYZERS]
            for mention, found in zip(mentions, results, strict=True)
        }
        record_reread(session, brand_id=brand_id, findings=findings, now=now)
        record_analysis_pass(
            session, brand_id=brand_id, path=REREAD, mentions=len(mentions), seconds=seconds, at=now
        )
        session.flush()
        case_ids = {mention.case_id for mention in mentions if mention.case_id is not None}
        route_again(session, case_ids=case_ids, reason=REROUTE_REASON, at=now)
        return len(mentions)
    return 0


def reread_when_calm(factory: sessionmaker[Session], *, now: datetime, limit: int) -> int:
    """One re-read batch in its own transaction; 0 when there is nothing to re-read.

    A failure other than the database's is logged and ends this round's re-reading: the
    mentions keep their fast reading, and fresh mentions are never held up by it.
    """
    try:
        with factory.begin() as session:
            return reread_batch(session, now=now, limit=limit)
    except OperationalError:
        raise
    except Exception:
        log.exception("re-reading a burst's mentions with the accurate model failed; trying later")
        return 0
