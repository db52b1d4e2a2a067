"""The chain: each stage picks mentions that passed the stage before, does its work, marks them.

A stage is one writing action over a batch; its pure core lives in its own package
(analyzers, threading rules, routing rules). A stage writes only its results; the runner writes
the marker (``PipelineStage.marks``) in the same transaction, so a crash leaves the batch to be
picked up again, never half done. Every stage is idempotent: run again on mentions it has
already processed (an operator re-queues them, a batch is taken twice), it changes nothing.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, null, select
from sqlalchemy.orm import Session

from ombuds.cases.actions import thread_mentions
from ombuds.enrichment.accurate.recipe import VERSION_PREFIX
from ombuds.enrichment.actions import record_analysis_pass, record_findings, wait_for_reread
from ombuds.enrichment.base import Finding, MentionFacts, StoredFinding
from ombuds.enrichment.paths import ACCURATE, FAST
from ombuds.incidents.stage import detect_all
from ombuds.mentions.models import Direction, Mention, Stage
from ombuds.pipeline.burst import Backlog, is_burst
from ombuds.problems.stage import notice_returns
from ombuds.promises import stage as promises
from ombuds.routing.actions import route_mentions

if TYPE_CHECKING:
    from ombuds.enrichment.engine import AnalysisEngine

StageAction = Callable[[Session, Sequence[Mention], datetime], None]


@dataclass(frozen=True, slots=True)
class PipelineStage:
    name: str
    picks: Stage  # the marker of mentions this stage takes
    marks: Stage  # the marker it leaves
    run: StageAction
    in_time_order: bool = False  # threading must see a conversation in the order it happened
    # A stage that picks and marks by itself in the round's transaction, returning how many it
    # moved (detection one round behind, through the sidecar: ``pipeline.sidecar``).
    step: Callable[[Session, datetime], int] | None = None


#: How far back "the same customer wrote about this before" looks (the repeat-contact signal).
REPEAT_WINDOW = timedelta(days=7)


def facts_from_mention(mention: Mention, recent_texts: Sequence[str] = ()) -> MentionFacts:
    return MentionFacts(
        text=mention.text,
        author_handle=mention.author_handle,
        author_followers=mention.author_followers,
        channel=mention.channel,
        is_public=mention.is_public,
        metrics=mention.metrics or {},
        created_at=mention.created_at,
        author_name=mention.author_name or "",
        author_bio=mention.author_bio or "",
        recent_texts=recent_texts,
        is_outbound=mention.direction is Direction.OUTBOUND,
    )


def recent_texts_of_authors(session: Session, mentions: Sequence[Mention]) -> dict[int, list[str]]:
    """Per mention, what the same author told the brand in the week before, latest first.

    An author is a handle on one channel: "sam" on X and "sam" on Reddit are two people."""
    return _recent(session, mentions, with_text=True)[0]


def recent_basis(session: Session, mentions: Sequence[Mention]) -> tuple[int, ...]:
    """The ids of the earlier mentions ``recent_texts_of_authors`` looks at for these (their
    authors', in each one's week before), in order: the same ids again later mean the same recent
    texts (a stored mention's text never changes), read without reading the texts."""
    return _recent(session, mentions, with_text=False)[1]


def _recent(
    session: Session, mentions: Sequence[Mention], *, with_text: bool
) -> tuple[dict[int, list[str]], tuple[int, ...]]:
    """The recent texts (``with_text``) and their basis (``recent_basis``) of these mentions."""
    inbound = [m for m in mentions if m.direction is Direction.INBOUND]
    if not inbound:
        return {}, ()
    rows = session.execute(
        select(
            Mention.brand_id,
            Mention.channel,
            Mention.author_handle,
            Mention.id,
            Mention.created_at,
            Mention.text if with_text else null(),
        )
        .where(
            Mention.brand_id.in_({m.brand_id for m in inbound}),
            Mention.author_handle.in_({m.author_handle for m in inbound}),
            Mention.direction == Direction.INBOUND,
            Mention.created_at.between(
                min(m.created_at for m in inbound) - REPEAT_WINDOW, max(m.created_at for m in inbound)
            ),
        )
        .order_by(Mention.created_at.desc(), Mention.id.desc())
    ).all()
    by_author: dict[tuple[int, str, str], list[tuple[int, datetime, Any]]] = defaultdict(list)
    for brand_id, channel, handle, mention_id, created_at, text in rows:
        by_author[(brand_id, channel, handle)].append((mention_id, created_at, text))
    recent: dict[int, list[str]] = {}
    basis: set[int] = set()
    for m in inbound:
        earlier = [
            (other_id, text)
            for other_id, created_at, text in by_author[(m.brand_id, m.channel, m.author_handle)]
            if other_id != m.id and m.created_at - REPEAT_WINDOW <= created_at <= m.created_at
        ]
        recent[m.id] = [text for _, text in earlier[:5]]
        basis.update(other_id for other_id, _ in earlier)
    return recent, tuple(sorted(basis))


def waiting_beyond(session: Session, batch: int, limit: int) -> int:
    """Mentions waiting for analysis besides the batch at hand, counted up to ``limit + 1``."""
    waiting = select(Mention.id).where(Mention.stage == Stage.INGESTED).limit(batch + limit + 1)
    return max(0, (session.scalar(select(func.count()).select_from(waiting.subquery())) or 0) - batch)


def oldest_received(session: Session) -> datetime | None:
    """When the oldest mention still waiting for analysis was received (the batch at hand too)."""
    first = select(func.min(Mention.id)).where(Mention.stage == Stage.INGESTED).scalar_subquery()
    return session.scalar(select(Mention.received_at).where(Mention.id == first))


#: How a batch of one brand's mentions is read: the brand, its engine and the mentions in; one
#: list of findings per mention and the seconds the analysers took out (``read_here`` unless
#: another process read them already: ``pipeline.sidecar``).
Read = Callable[[Session, int, "AnalysisEngine", Sequence[Mention]], tuple["Findings", float]]
Findings = Sequence[Sequence[Finding] | Sequence[StoredFinding]]


def read_here(
    session: Session, brand_id: int, engine: AnalysisEngine, mentions: Sequence[Mention]
) -> tuple[Findings, float]:
    facts = facts_for(session, mentions)
    started = time.perf_counter()
    return engine.analyze(facts), time.perf_counter() - started


def is_calm(*, waiting_beyond_batch: int, oldest: datetime | None, now: datetime) -> bool:
    """Whether the accurate model may read (``pipeline.burst``): few wait, none for long."""
    from ombuds.settings import get_settings

    settings = get_settings()
    limit = settings.accurate_backlog_limit
    backlog = Backlog(waiting_beyond_batch, oldest)
    return not is_burst(backlog, now, waiting_limit=limit, lag_limit=settings.accurate_lag_limit)


def by_brand(mentions: Sequence[Mention]) -> dict[int, list[Mention]]:
    grouped: dict[int, list[Mention]] = defaultdict(list)
    for mention in mentions:
        grouped[mention.brand_id].append(mention)
    return grouped


def facts_for(session: Session, mentions: Sequence[Mention]) -> list[MentionFacts]:
    """What the analyzers read of each mention, with its author's recent texts."""
    return facts_and_basis(session, mentions)[0]


def facts_and_basis(
    session: Session, mentions: Sequence[Mention]
) -> tuple[list[MentionFacts], tuple[int, ...]]:
    """``facts_for``, and the ids of the earlier mentions read for them (``recent_basis``)."""
    recent, basis = _recent(session, mentions, with_text=True)
    return [facts_from_mention(m, recent.get(m.id, ())) for m in mentions], basis


def enrich(session: Session, mentions: Sequence[Mention], now: datetime, read: Read = read_here) -> None:
    """Run every analyzer over the batch (the brand's own models where it has them).

    A brand's accurate model (MiniLM, ~100 messages a second) reads while few mentions wait; in
    a burst (more than ``accurate_backlog_limit`` waiting, or the oldest waiting longer than
    ``accurate_lag_limit`` seconds: ``pipeline.burst``) the fast path reads instead, and the
    accurate model re-reads those mentions once calm returns (``pipeline.reread``). Each batch's
    reading time goes to its path's minute (``enrichment.paths``: speed and share).
    """
    from ombuds.enrichment.brand_engines import has_accurate_model, load_engine_for_brand
    from ombuds.settings import get_settings

    limit = get_settings().accurate_backlog_limit
    waiting = waiting_beyond(session, len(mentions), limit)
    calm = is_calm(waiting_beyond_batch=waiting, oldest=oldest_received(session), now=now)
    for brand_id, batch in by_brand(mentions).items():
        engine = load_engine_for_brand(session, brand_id, use_accurate=calm)
        results, seconds = read(session, brand_id, engine, batch)
        accurate = any(version.startswith(VERSION_PREFIX) for version in engine.versions.values())
        record_analysis_pass(
            session,
            brand_id=brand_id,
            path=ACCURATE if accurate else FAST,
            mentions=len(batch),
            seconds=seconds,
            at=now,
        )
        record_findings(
            session,
            brand_id=brand_id,
            findings={mention.id: found for mention, found in zip(batch, results, strict=True)},
            now=now,
        )
        if not accurate and not calm and has_accurate_model(session, brand_id):
            wait_for_reread(session, brand_id=brand_id, mention_ids=[m.id for m in batch], at=now)


def thread(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
    thread_mentions(session, mentions=mentions)


def route(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
    route_mentions(session, mentions=mentions)


def detect(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
    """Hold each brand's mentions against its promises, then feed its storm detectors; a customer
    back with a fixed problem's issue reopens it."""
    for brand_id in sorted({mention.brand_id for mention in mentions}):
        promises.match(session, brand_id=brand_id, mentions=mentions)
    detect_all(session, mentions=mentions, now=now)
    notice_returns(session, mentions=mentions, now=now)


STAGES: tuple[PipelineStage, ...] = (
    PipelineStage("enrich", Stage.INGESTED, Stage.ENRICHED, enrich),
    PipelineStage("thread", Stage.ENRICHED, Stage.THREADED, thread, in_time_order=True),
    PipelineStage("route", Stage.THREADED, Stage.ROUTED, route, in_time_order=True),
    PipelineStage("detect", Stage.ROUTED, Stage.DETECTED, detect, in_time_order=True),
)
