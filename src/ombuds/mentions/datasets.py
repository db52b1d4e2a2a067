"""Timestamped data sets as streams of observations, read with the importer's own presets.

Used to evaluate the detectors and by tests on the public data sets: the file is read and
mapped exactly as ``ombuds import`` would, then analysed by the enrichment engine, without a
database. Records the importer would reject are skipped here (and counted).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ombuds.enrichment.base import MentionFacts
from ombuds.errors import InvalidInput
from ombuds.incidents.detectors import Observation
from ombuds.incidents.observations import observation_from
from ombuds.mentions.importing import open_import
from ombuds.mentions.mapping import RecordRejected, lookup, map_record
from ombuds.mentions.schemas import IncomingMention, MentionCreate


@dataclass(frozen=True, slots=True)
class BrandMention:
    brand: str
    mention: MentionCreate
    raw: bytes = b""
    raw_format: str = "csv"

    def incoming(self) -> IncomingMention:
        return IncomingMention(mention=self.mention, raw=self.raw, raw_format=self.raw_format)


@dataclass
class Tally:
    """Records read, and those skipped because the importer would reject them."""

    read: int = 0
    rejected: int = 0
    outbound: int = 0


def read_mentions(
    path: Path,
    *,
    preset: str,
    brand: str | None = None,
    brand_column: str | None = None,
    tally: Tally | None = None,
) -> Iterator[BrandMention]:
    """Every usable inbound record of the file as a mention, with the brand it belongs to.

    ``brand`` names one brand for the whole file; otherwise ``brand_column`` (default: the
    preset's brand column) names the column that holds each row's brand. Raises
    ``InvalidInput`` for a file the importer cannot read or a column it does not have.
    """
    tally = tally if tally is not None else Tally()
    source, field_map = open_import(path, preset_name=preset)
    column = brand_column or field_map.preset.brand_column
    try:
        if brand is None and column is None:
            raise InvalidInput(
                f"preset {preset!r} has no brand column: give --brand SLUG or --brand-col COLUMN"
            )
        if brand is None and column is not None and source.columns and column not in source.columns:
            raise InvalidInput(
                f"--brand-col {column!r}: no such column; the file has {', '.join(source.columns)}"
            )
        cursor = None
        while True:
            batch = source.fetch(cursor)
            for record in batch.records:
                tally.read += 1
                if record.problem is not None or record.fields is None:
                    tally.rejected += 1
                    continue
                try:
                    mention = map_record(record.fields, field_map)
                except RecordRejected:
                    tally.rejected += 1
                    continue
                if mention.direction != "inbound":
                    tally.outbound += 1
                    continue
                owner = brand or str(lookup(record.fields, column or "") or "").strip()
                if not owner:
                    tally.rejected += 1
                    continue
                yield BrandMention(owner, mention, record.raw, record.raw_format)
            if batch.is_last:
                return
            cursor = batch.cursor
    finally:
        source.close()


def streams_from_file(
    path: Path,
    *,
    preset: str,
    brand: str | None = None,
    brand_column: str | None = None,
    batch_size: int = 2000,
) -> dict[str, list[Observation]]:
    """Per brand, the file's mentions analysed by the default engine, in time order."""
    from ombuds.enrichment.engine import load_default_engine

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
                        author=mention.author,
                        channel=mention.channel,
                        followers=mention.followers,
                        metrics=mention.metrics,
                        findings={finding.analyzer: finding for finding in findings},
                    )
                )
        streams[name] = observations
    return streams


def _facts(mention: MentionCreate) -> MentionFacts:
    return MentionFacts(
        text=mention.text,
        author_handle=mention.author,
        author_followers=mention.followers,
        channel=mention.channel,
        is_public=mention.is_public,
        metrics={k: int(v) for k, v in mention.metrics.items()},
        created_at=mention.created_at,
    )


def total_mentions(streams: dict[str, list[Observation]]) -> int:
    return sum(len(stream) for stream in streams.values())


def merged(streams: dict[str, list[Observation]], brands: Sequence[str]) -> list[Observation]:
    return sorted((o for name in brands for o in streams[name]), key=lambda o: (o.at, o.mention_id))
