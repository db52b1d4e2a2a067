"""The only writers of enrichment rows: what analysers found, and what people corrected.

A mention has one row per analyzer. Analysis writes it as an upsert, so a mention analysed again
(re-queued by an operator, or a batch taken twice) updates its rows instead of failing on the
unique key; a row a person corrected keeps the person's label. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Dialect, Table, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from ombuds.enrichment.base import Finding, StoredFinding, stored
from ombuds.enrichment.models import AnalysisPass, Enrichment, RereadWaiting
from ombuds.enrichment.paths import KEEP, PATHS, minute_of
from ombuds.event_payloads import EnrichmentReread
from ombuds.events import record_event
from ombuds.mentions.models import Mention

#: ``model_version`` of a row whose label a person set; analysis never overwrites it.
CORRECTION = "correction"

_ENRICHMENT: Table = Enrichment.__table__  # type: ignore[assignment]
_PASS: Table = AnalysisPass.__table__  # type: ignore[assignment]
_WAITING: Table = RereadWaiting.__table__  # type: ignore[assignment]
_KEY = ["mention_id", "analyzer"]


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"enrichment supports SQLite and PostgreSQL, not {dialect}")


def record_findings(
    session: Session,
    *,
    brand_id: int,
    findings: Mapping[int, Sequence[Finding] | Sequence[StoredFinding]],
    now: datetime,
) -> None:
    """Store each mention's findings (mention id → findings), replacing the analysers' earlier rows.

    Idempotent: the same findings again leave the rows as they were (``created_at`` keeps the
    first analysis); corrected rows are left alone.

    Nine rows a mention, one of them a kilobyte of floats: ``data`` is serialised by orjson
    (``base.stored``; the sidecar does it in its own process) and bound as it is
    (``_SerialisedJSON``), where ``json.dumps`` row by row cost as much CPU as the analysers
    that found them. The rows still go through ``session.execute``, so the session's hooks see
    them (the dashboard's rows follow the labels).
    """
    rows = [
        {
            "brand_id": brand_id,
            "mention_id": mention_id,
            "analyzer": analyzer,
            "model_version": version,
            "label": label,
            "score": score,
            "data": data,
            "created_at": now,
        }
        for mention_id, found in findings.items()
        for finding in found
        for analyzer, version, label, score, data in (
            finding if isinstance(finding, tuple) else stored(finding),
        )
    ]
    if not rows:
        return
    insert = _insert(session, _ENRICHMENT).values(data=bindparam("data", type_=_SerialisedJSON()))
    fresh = insert.excluded
    statement = insert.on_conflict_do_update(
        index_elements=_KEY,
        set_={
            "model_version": fresh.model_version,
            "label": fresh.label,
            "score": fresh.score,
            "data": fresh.data,
        },
        where=_ENRICHMENT.c.model_version != CORRECTION,
    )
    session.execute(statement, rows)


class _SerialisedJSON(TypeDecorator[str]):
    """A JSON column's parameter given as JSON text already: bound as it is (cast to JSON where
    the dialect casts parameters), not serialised again."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


def record_analysis_pass(
    session: Session, *, brand_id: int, path: str, mentions: int, seconds: float, at: datetime
) -> None:
    """Add a batch's mentions and reading seconds to its path's row for the minute of ``at``.

    Rows older than ``paths.KEEP`` go at the same time, so the table holds a day at most.
    """
    if path not in PATHS:
        raise ValueError(f"analysis pass: path must be one of {', '.join(PATHS)}, got {path!r}")
    insert = _insert(session, _PASS)
    statement = insert.on_conflict_do_update(
        index_elements=["brand_id", "minute", "path"],
        set_={
            "mentions": _PASS.c.mentions + insert.excluded.mentions,
            "seconds": _PASS.c.seconds + insert.excluded.seconds,
        },
    )
    session.execute(
        statement,
        [
            {
                "brand_id": brand_id,
                "minute": minute_of(at),
                "path": path,
                "mentions": mentions,
                "seconds": seconds,
            }
        ],
    )
    session.execute(
        delete(AnalysisPass).where(AnalysisPass.minute < minute_of(at - KEEP)),
        execution_options={"synchronize_session": False},
    )


def wait_for_reread(session: Session, *, brand_id: int, mention_ids: Sequence[int], at: datetime) -> None:
    """Note mentions the fast path read in a burst, for the brand's accurate model to re-read."""
    if not mention_ids:
        return
    statement = _insert(session, _WAITING).on_conflict_do_nothing(index_elements=["mention_id"])
    session.execute(
        statement,
        [{"mention_id": mention_id, "brand_id": brand_id, "read_at": at} for mention_id in mention_ids],
    )


def record_reread(
    session: Session, *, brand_id: int, findings: Mapping[int, Sequence[Finding]], now: datetime
) -> dict[int, EnrichmentReread]:
    """Store what a second reading (the accurate model after a burst) found, replacing the first;
    the mentions no longer wait for it.

    One ``enrichment.reread`` event per mention whose labels changed, saying from what to what;
    returns them by mention. Rows a person corrected stay as they are and are not compared.
    Idempotent: the same findings again change no row and record no event.
    """
    analyzers = {finding.analyzer for found in findings.values() for finding in found}
    before = {
        (row.mention_id, row.analyzer): row
        for row in session.execute(
            select(
                Enrichment.mention_id, Enrichment.analyzer, Enrichment.label, Enrichment.model_version
            ).where(Enrichment.mention_id.in_(list(findings)), Enrichment.analyzer.in_(analyzers))
        )
    }
    changes: dict[int, EnrichmentReread] = {}
    for mention_id, found in findings.items():
        labels: dict[str, str | None] = {}
        previous: dict[str, str | None] = {}
        versions = []
        for finding in found:
            row = before.get((mention_id, finding.analyzer))
            if row is None or row.model_version == CORRECTION or row.label == finding.label:
                continue
            labels[finding.analyzer], previous[finding.analyzer] = finding.label, row.label
            versions.append((row.model_version, finding.model_version))
        if labels:
            changes[mention_id] = EnrichmentReread(
                model_version=versions[0][1],
                previous_version=versions[0][0],
                labels=labels,
                previous=previous,
            )
    record_findings(session, brand_id=brand_id, findings=findings, now=now)
    session.execute(
        delete(RereadWaiting).where(RereadWaiting.mention_id.in_(list(findings))),
        execution_options={"synchronize_session": False},
    )
    for mention_id, payload in changes.items():
        record_event(
            session,
            brand_id=brand_id,
            payload=payload,
            subject_type="mention",
            subject_id=mention_id,
            occurred_at=now,
        )
    return changes


def show_correction(
    session: Session, *, mention: Mention, analyzer: str, label: str, actor_id: int | None
) -> str | None:
    """The mention's enrichment now says what the person said; the model's guess is kept in data.

    Returns the label shown before.
    """
    row = session.scalar(
        select(Enrichment).where(Enrichment.mention_id == mention.id, Enrichment.analyzer == analyzer)
    )
    if row is None:
        session.add(
            Enrichment(
                brand_id=mention.brand_id,
                mention_id=mention.id,
                analyzer=analyzer,
                model_version=CORRECTION,
                label=label,
                score=1.0,
                data={"corrected_by": actor_id, "predicted": None},
            )
        )
        return None
    previous = row.label
    predicted = row.data.get("predicted", previous) if row.model_version == CORRECTION else previous
    row.label = label
    row.score = 1.0
    row.model_version = CORRECTION
    row.data = {"corrected_by": actor_id, "predicted": predicted}
    return previous
