"""Timestamped data sets as streams of observations, for the detectors' offline evaluation.

The file is read with ``ombuds.mentions.datasets`` (the importer's presets, as ``ombuds replay``
reads it), then analysed by the default enrichment engine, without a database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.engine import load_default_engine
from ombuds.incidents.detectors import Observation
from ombuds.incidents.observations import observation_from
from ombuds.mentions.datasets import read_mentions
from ombuds.mentions.schemas import MentionCreate


def streams_from_file(
    path: Path,
    *,
    preset: str,
    brand: str | None = None,
    brand_column: str | None = None,
    batch_size: int = 2000,
) -> dict[str, list[Observation]]:
    """Per brand, the file's mentions analysed by the default engine, in time order."""
    engine = load_default_engine()
    by_brand: dict[str, list[MentionCreate]] = defaultdict(list)
    for found in read_mentions(path, preset=preset, brand=brand, brand_column=brand_column):
        by_brand[found.brand].append(found.mention)
    streams: dict[str, list[Observation]] = {}
    for name, mentions in by_brand.items():
        mentions.sort(key=lambda m: m.created_at)
        observations: list[Observation] = []
        for start in range(0, len(mentions), batch_size):
            chunk = mentions[start : start + batch_size]
            results = engine.analyze([_facts(m) for m in chunk])
            for offset, (mention, findings) in enumerate(zip(chunk, results, strict=True)):
                observations.append(
                    observation_from(
                        mention_id=start + offset + 1,
                        created_at=mention.created_at,
                        text=mention.text,
                        author=mention.author_handle,
                        channel=mention.channel,
                        followers=mention.followers,
                        metrics=mention.metrics,
                        findings={finding.analyzer: finding for finding in findings},
                        in_reply_to=mention.in_reply_to,
                    )
                )
        streams[name] = observations
    return streams


def _facts(mention: MentionCreate) -> MentionFacts:
    return MentionFacts(
        text=mention.text,
        author_handle=mention.author_handle,
        author_followers=mention.followers,
        channel=mention.channel,
        is_public=mention.is_public,
        metrics={k: int(v) for k, v in mention.metrics.items()},
        created_at=mention.created_at,
    )


def analyse_texts(rows: Sequence[tuple[int, datetime, str, str]], channel: str) -> list[Observation]:
    """Observations of written messages ``(mention id, time, author, text)``, analysed by the
    default engine as the stream's own mentions are (for bursts injected into a stream)."""
    engine = load_default_engine()
    facts = [
        MentionFacts(
            text=text,
            author_handle=author,
            author_followers=None,
            channel=channel,
            is_public=True,
            metrics={},
            created_at=at,
        )
        for _, at, author, text in rows
    ]
    return [
        observation_from(
            mention_id=mention_id,
            created_at=at,
            text=text,
            author=author,
            channel=channel,
            followers=None,
            metrics={},
            findings={finding.analyzer: finding for finding in findings},
        )
        for (mention_id, at, author, text), findings in zip(rows, engine.analyze(facts), strict=True)
    ]
