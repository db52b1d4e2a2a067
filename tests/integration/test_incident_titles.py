"""An incident's title follows its storm as it grows, until a person renames it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.events import Event
from ombuds.incidents import actions
from ombuds.incidents.detectors import Signal, Storm, StormChange
from ombuds.incidents.detectors.storms import StormMessage
from tests.integration.test_web_cases import NOW


def _storm(texts: list[str]) -> Storm:
    storm = Storm(storm_id=7, signal=Signal.CLUSTER, key="phrase", opened_at=NOW, last_activity_at=NOW)
    storm.phrases = {1: "app crashed", 2: "downloads gone"}
    storm.sample = [
        StormMessage(i, NOW.timestamp(), text, f"a{i}", 10, 0, True, "negative")
        for i, text in enumerate(texts)
    ]
    storm.mention_count = len(texts)
    return storm


def test_the_title_follows_the_storm_until_pr_renames_it(session: Session, brand: Brand) -> None:
    early = _storm(["app crashed on start"] * 8)
    opened = StormChange(storm_id=7, kind="opened", at=NOW)
    [incident] = actions.apply_storm_changes(session, brand_id=brand.id, storms={7: early}, changes=[opened])
    assert incident.title == "Many people saying “app crashed”"

    grown = _storm(["app crashed on start"] * 8 + ["all my downloads gone"] * 30)
    later = StormChange(storm_id=7, kind="grew", at=NOW + timedelta(minutes=30))
    actions.apply_storm_changes(session, brand_id=brand.id, storms={7: grown}, changes=[later])
    assert incident.title == "Many people saying “downloads gone” · 25+ mentions"

    actions.rename_incident(
        session,
        incident=incident,
        title="Downloads lost in 8.4.28",
        actor_id=None,
        now=NOW + timedelta(hours=1),
    )
    bigger = _storm(["app crashed on start"] * 8 + ["all my downloads gone"] * 120)
    latest = StormChange(storm_id=7, kind="grew", at=NOW + timedelta(hours=2))
    actions.apply_storm_changes(session, brand_id=brand.id, storms={7: bigger}, changes=[latest])
    session.commit()
    assert incident.title == "Downloads lost in 8.4.28"
    retitled = session.scalars(
        select(Event.data)
        .where(Event.kind == "incident.retitled", Event.subject_id == incident.id)
        .order_by(Event.id)
    ).all()
    assert [(d["to"], d["by_person"]) for d in retitled] == [
        ("Many people saying “downloads gone” · 25+ mentions", False),
        ("Downloads lost in 8.4.28", True),
    ]
