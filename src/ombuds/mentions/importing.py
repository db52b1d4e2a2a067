"""Import a CSV or JSON Lines file into a brand: read, map, ingest in batches, account for every record.

Everything that can make the whole file unusable (not CSV/JSONL, unknown preset, missing
columns, unknown brand) is checked before the first mention is stored. After that each batch
is its own transaction: a crash keeps every batch already committed, and a re-run adds nothing
twice because ingest is idempotent on (source, external id).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.queries import get_brand_by_slug_or_raise
from ombuds.connectors.base import RawRecord
from ombuds.connectors.files import FileFetcher, FileFormat, position_of
from ombuds.db import transaction
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.mapping import FieldMap, RecordRejected, map_record, record_keys, resolve_field_map
from ombuds.mentions.models import Source
from ombuds.mentions.presets import get_preset
from ombuds.mentions.rejects import RejectsFile
from ombuds.mentions.schemas import IncomingMention

SOURCE_KIND = "import"


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """The account of one import: read == imported + duplicates + rejected."""

    read: int
    imported: int
    duplicates: int
    rejected: int
    rejects_path: Path | None

    def as_json(self) -> dict[str, object]:
        return {
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejects_path": str(self.rejects_path) if self.rejects_path is not None else None,
        }


def source_name_for(name: str) -> str:
    """Import sources are named ``import:<preset or --source name>``, one per brand."""
    return f"{SOURCE_KIND}:{name}"


def open_import(
    path: Path,
    *,
    preset_name: str,
    overrides: Sequence[tuple[str, str]] = (),
    batch_size: int = 1000,
) -> tuple[FileFetcher, FieldMap]:
    """The file opened as a fetcher and the preset resolved against its columns.

    Raises ``InvalidInput`` (``UnreadableFile`` for a file that is not CSV/JSONL) before
    anything is stored; the caller closes the fetcher.
    """
    preset = get_preset(preset_name)
    fetcher = FileFetcher(path, batch_size=batch_size)
    try:
        if fetcher.shape.format is FileFormat.CSV:
            available: set[str] = {column for column in fetcher.columns if column}
        else:
            first = fetcher.fetch(None).records
            available = record_keys(record.fields for record in first if record.fields is not None)
        field_map = resolve_field_map(preset, overrides=overrides, available=available)
    except BaseException:
        fetcher.close()
        raise
    return fetcher, field_map


def run_import(
    factory: sessionmaker[Session],
    *,
    brand_slug: str,
    fetcher: FileFetcher,
    field_map: FieldMap,
    source_name: str,
    rejects: RejectsFile,
    on_progress: Callable[[int], None] = lambda done: None,
) -> ImportSummary:
    """Import every record of ``fetcher``; ``on_progress`` gets the bytes read so far."""
    with transaction(factory) as session:
        brand = get_brand_by_slug_or_raise(session, brand_slug)
        source_id = get_or_create_source(
            session,
            brand_id=brand.id,
            kind=SOURCE_KIND,
            name=source_name_for(source_name),
            config={"preset": field_map.preset.name, "columns": list(fetcher.columns)},
        ).id
    read = imported = duplicates = 0
    cursor = None
    while True:
        batch = fetcher.fetch(cursor)
        read += len(batch.records)
        accepted = _accept(batch.records, field_map, rejects)
        if accepted:
            with transaction(factory) as session:
                source = session.get(Source, source_id)
                assert source is not None
                result = ingest_mentions(session, source=source, mentions=accepted)
            imported += result.imported
            duplicates += result.duplicates
        rejects.flush()
        if batch.cursor is not None:
            on_progress(position_of(batch.cursor).offset)
        if batch.is_last:
            break
        cursor = batch.cursor
    return ImportSummary(
        read=read,
        imported=imported,
        duplicates=duplicates,
        rejected=rejects.count,
        rejects_path=rejects.written_path,
    )


def _accept(records: Sequence[RawRecord], field_map: FieldMap, rejects: RejectsFile) -> list[IncomingMention]:
    accepted: list[IncomingMention] = []
    for record in records:
        if record.problem is not None or record.fields is None:
            problem = record.problem
            rejects.add(
                line=record.position,
                column=problem.field if problem else None,
                reason=problem.reason if problem else "unreadable record",
                record=record.raw,
            )
            continue
        try:
            mention = map_record(record.fields, field_map)
        except RecordRejected as rejected:
            rejects.add(
                line=record.position, column=rejected.column, reason=rejected.reason, record=record.raw
            )
            continue
        accepted.append(IncomingMention(mention=mention, raw=record.raw, raw_format=record.raw_format))
    return accepted
