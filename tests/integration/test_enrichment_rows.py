"""Analysis rows as stored: what the analysers found, read back the same on SQLite and PostgreSQL.

``record_findings`` serialises the rows' data itself and binds it past SQLAlchemy's JSON type;
what it stores must be what the ORM would have stored, read back as it was given, and seen by
the session's hooks as any other write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.enrichment.actions import CORRECTION, record_findings
from ombuds.enrichment.base import Finding
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.metrics.outcome_models import MentionVoice

NOW = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


def _mention_ids(session: Session, brand: Brand, count: int) -> list[int]:
    source = get_or_create_source(session, brand_id=brand.id, kind="api", name="api")
    incoming = []
    for n in range(count):
        created = MentionCreate(
            external_id=f"m{n}", author=f"a{n}", text=f"my bag is lost, day {n}", created_at=NOW
        )
        incoming.append(IncomingMention(mention=created, raw=b"{}", raw_format="json"))
    ingest_mentions(session, source=source, mentions=incoming)
    return list(session.scalars(select(Mention.id).order_by(Mention.id)))


def test_findings_read_back_as_found_and_a_second_reading_keeps_people_s_corrections(
    session: Session, brand: Brand
) -> None:
    first, second = _mention_ids(session, brand, 2)
    vector = [round(0.0001 * k - 0.0123, 4) for k in range(128)]
    findings = {
        first: [
            Finding(
                "sentiment", "v1", "negative", 0.91, {"probabilities": {"negative": 0.91, "neutral": 0.09}}
            ),
            Finding("embedding", "v1", None, None, {"vector": vector}),
            Finding("signals", "v1", None, None, {"signals": [], "note": 'ünïcode ✈ "quoted"'}),
            Finding("category", "v1", "Lost Luggage", 0.8, {}),
        ],
        second: [Finding("sentiment", "v1", "positive", 0.8, {})],
    }
    record_findings(session, brand_id=brand.id, findings=findings, now=NOW)
    # a person corrects one row, as the ORM writes it: the raw instant must be stored alike
    session.add(
        Enrichment(
            brand_id=brand.id,
            mention_id=second,
            analyzer="category",
            model_version=CORRECTION,
            label="Lost Luggage",
            data={"corrected_by": 1},
            created_at=NOW,
        )
    )
    session.commit()

    rows = {(r.mention_id, r.analyzer): r for r in session.scalars(select(Enrichment))}
    assert rows[(first, "embedding")].data == {"vector": vector}
    assert rows[(first, "sentiment")].label == "negative"
    assert rows[(first, "sentiment")].score == 0.91
    assert rows[(first, "signals")].data["note"] == 'ünïcode ✈ "quoted"'
    assert all(row.created_at == NOW for row in rows.values())
    stored = session.execute(text("SELECT DISTINCT created_at FROM enrichment")).scalars().all()
    assert len(stored) == 1  # the rows and the ORM's row hold the instant the same way
    # the dashboard's voice rows follow the labels as they are written
    assert session.get(MentionVoice, first) is not None
    assert session.get(MentionVoice, first).category == "Lost Luggage"

    later = NOW + timedelta(hours=1)
    again = {
        first: [Finding("sentiment", "v2", "neutral", 0.5, {"probabilities": {"neutral": 0.5}})],
        second: [Finding("category", "v2", "Bad Flight", 0.7, {})],
    }
    record_findings(session, brand_id=brand.id, findings=again, now=later)
    session.commit()
    session.expire_all()
    rows = {(r.mention_id, r.analyzer): r for r in session.scalars(select(Enrichment))}
    assert (rows[(first, "sentiment")].label, rows[(first, "sentiment")].model_version) == ("neutral", "v2")
    assert rows[(first, "sentiment")].created_at == NOW  # the first analysis's time stays
    assert rows[(second, "category")].label == "Lost Luggage"  # the person's label stands
    assert len(rows) == 6
