"""Timestamped data sets read as mentions with the importer's own presets, each with its brand.

``ombuds replay`` feeds these to the pipeline; the detectors' offline evaluation reads them too.
Each file is read and mapped exactly as ``ombuds import`` would; records the importer would
reject are skipped here (and counted).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ombuds.errors import InvalidInput
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


#: How many skipped records a tally names (line, column, reason); the rest are counted.
NAMED_SKIPS = 20


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record the importer would reject: where it starts in the file, the column, and why."""

    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class Tally:
    """Records read, and those skipped because the importer would reject them (the first named)."""

    read: int = 0
    rejected: int = 0
    outbound: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def skip(self, line: int, column: str | None, reason: str) -> None:
        self.rejected += 1
        if len(self.skipped) < NAMED_SKIPS:
            self.skipped.append(Skipped(line, column, reason))


def read_mentions(
    path: Path,
    *,
    preset: str,
    brand: str | None = None,
    brand_column: str | None = None,
    tally: Tally | None = None,
    overrides: Sequence[tuple[str, str]] = (),
) -> Iterator[BrandMention]:
    """Every usable inbound record of the file as a mention, with the brand it belongs to.

    ``brand`` names one brand for the whole file; otherwise ``brand_column`` (default: the
    preset's brand column) names the column that holds each row's brand; ``overrides`` are
    (column, field) pairs as ``ombuds import --map`` takes them. Raises
    ``InvalidInput`` for a file the importer cannot read or a column it does not have.
    """
    tally = tally if tally is not None else Tally()
    source, field_map = open_import(path, preset_name=preset, overrides=overrides)
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
                    problem = record.problem
                    tally.skip(
                        record.position,
                        problem.field if problem else None,
                        problem.reason if problem else "unreadable record",
                    )
                    continue
                try:
                    mention = map_record(record.fields, field_map)
                except RecordRejected as rejected:
                    tally.skip(record.position, rejected.column, rejected.reason)
                    continue
                if mention.direction != "inbound":
                    tally.outbound += 1
                    continue
                owner = brand or str(lookup(record.fields, column or "") or "").strip()
                if not owner:
                    tally.skip(record.position, column, "no brand in this column")
                    continue
                yield BrandMention(owner, mention, record.raw, record.raw_format)
            if batch.is_last:
                return
            cursor = batch.cursor
    finally:
        source.close()
