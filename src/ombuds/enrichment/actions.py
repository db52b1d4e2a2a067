"""The only writers of enrichment rows: what analysers found, and what people corrected.

A mention has one row per analyzer. Analysis writes it as an upsert, so a mention analysed again
(re-queued by an operator, or a batch taken twice) updates its rows instead of failing on the
unique key; a row a person corrected keeps the person's label. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ombuds.enrichment.base import Finding
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Mention

#: ``model_version`` of a row whose label a person set; analysis never overwrites it.
CORRECTION = "correction"

_ENRICHMENT: Table = Enrichment.__table__  # type: ignore[assignment]
_KEY = ["mention_id", "analyzer"]


def record_findings(
    session: Session, *, brand_id: int, findings: Mapping[int, Sequence[Finding]], now: datetime
) -> None:
    """Store each mention's findings (mention id → findings), replacing the analysers' earlier rows.

    Idempotent: the same findings again leave the rows as they were (``created_at`` keeps the
    first analysis); corrected rows are left alone.
    """
    rows = [
        {
            "brand_id": brand_id,
            "mention_id": mention_id,
            "analyzer": finding.analyzer,
            "model_version": finding.model_version,
            "label": finding.label,
            "score": finding.score,
            "data": dict(finding.data),
            "created_at": now,
        }
        for mention_id, found in findings.items()
        for finding in found
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert: Any = postgresql.insert(_ENRICHMENT)
    elif dialect == "sqlite":
        insert = sqlite.insert(_ENRICHMENT)
    else:
        raise NotImplementedError(f"enrichment supports SQLite and PostgreSQL, not {dialect}")
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
