"""The chain: each stage picks mentions that passed the stage before, does its work, marks them.

A stage is one writing action over a batch; its pure core lives in its own package
(analyzers, threading rules, routing rules). Results and the stage marker are written in the
same transaction, so a crash leaves the batch to be picked up again, never half done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ombuds.cases.actions import thread_mentions
from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.models import Enrichment
from ombuds.incidents.stage import detect_all
from ombuds.mentions.models import Mention, Stage
from ombuds.promises import stage as promises
from ombuds.routing.actions import route_mentions

StageAction = Callable[[Session, Sequence[Mention], datetime], None]


@dataclass(frozen=True, slots=True)
class PipelineStage:
    name: str
    picks: Stage  # the marker of mentions this stage takes
    marks: Stage  # the marker it leaves
    run: StageAction
    in_time_order: bool = False  # threading must see a conversation in the order it happened


def facts_from_mention(mention: Mention) -> MentionFacts:
    return MentionFacts(
        text=mention.text,
        author_handle=mention.author_handle,
        author_followers=mention.author_followers,
        channel=mention.channel,
        is_public=mention.is_public,
        metrics=mention.metrics or {},
        created_at=mention.created_at,
    )


def enrich(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
    """Run every analyzer over the batch (the brand's own models where it has them)."""
    from ombuds.enrichment.engine import load_engine_for_brand

    by_brand: dict[int, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_brand[mention.brand_id].append(mention)
    for brand_id, batch in by_brand.items():
        engine = load_engine_for_brand(session, brand_id)
        results = engine.analyze([facts_from_mention(m) for m in batch])
        for mention, findings in zip(batch, results, strict=True):
            session.add_all(
                Enrichment(
                    brand_id=brand_id,
                    mention_id=mention.id,
                    analyzer=finding.analyzer,
                    model_version=finding.model_version,
                    label=finding.label,
                    score=finding.score,
                    data=dict(finding.data),
                )
                for finding in findings
            )
            mention.stage = Stage.ENRICHED
    session.flush()


def thread(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
    thread_mentions(session, mentions=mentions)


def route(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
    route_mentions(session, mentions=mentions)


def detect(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
    """Hold each brand's mentions against its promises, then feed its storm detectors."""
    for brand_id in sorted({mention.brand_id for mention in mentions}):
        promises.match(session, brand_id=brand_id, mentions=mentions)
    detect_all(session, mentions=mentions, now=now)
    for mention in mentions:
        mention.stage = Stage.DETECTED
    session.flush()


STAGES: tuple[PipelineStage, ...] = (
    PipelineStage("enrich", Stage.INGESTED, Stage.ENRICHED, enrich),
    PipelineStage("thread", Stage.ENRICHED, Stage.THREADED, thread, in_time_order=True),
    PipelineStage("route", Stage.THREADED, Stage.ROUTED, route, in_time_order=True),
    PipelineStage("detect", Stage.ROUTED, Stage.DETECTED, detect, in_time_order=True),
)
