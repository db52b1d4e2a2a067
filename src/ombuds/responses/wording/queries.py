"""Reads of approved wording: what applies to a case, the current version of a statement, the lists."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.clock import as_utc, utcnow
from ombuds.enrichment.models import Enrichment
from ombuds.incidents.models import OPEN_STATUSES, Incident, IncidentCase, IncidentMention, IncidentStatus
from ombuds.mentions.models import Mention
from ombuds.responses import values
from ombuds.responses.wording.models import TalkingPoint, TalkingPointVersion
from ombuds.responses.wording.suggest import CaseTopic, is_valid, matched_terms
from ombuds.shown_brands import note_shown


@dataclass(frozen=True)
class CurrentStatement:
    """A talking point with its current (newest approved) version, as it applies to one case."""

    point: TalkingPoint
    version: TalkingPointVersion
    incident: Incident | None = None
    matched: tuple[str, ...] = ()

    @property
    def incident_active(self) -> bool:
        return self.incident is not None and self.incident.status is IncidentStatus.ACTIVE

    def as_value(self) -> values.TalkingPoint:
        return values.TalkingPoint(
            id=self.point.id,
            version=self.version.version,
            text=self.version.text,
            is_incident_active=self.incident_active,
            title=self.point.title,
        )


def current_versions(session: Session, point_ids: Collection[int]) -> dict[int, TalkingPointVersion]:
    """Each talking point's newest approved version (points with none approved are left out)."""
    if not point_ids:
        return {}
    rows = session.scalars(
        select(TalkingPointVersion)
        .where(
            TalkingPointVersion.talking_point_id.in_(point_ids),
            TalkingPointVersion.approved_at.is_not(None),
        )
        .order_by(TalkingPointVersion.talking_point_id, TalkingPointVersion.version)
    )
    return {row.talking_point_id: row for row in rows}  # the last (newest) per point wins


def linked_incidents(session: Session, case: Case) -> list[Incident]:
    """Open incidents the case belongs to, through its messages or linked by hand; active ones first."""
    through_mentions = (
        select(IncidentMention.incident_id)
        .join(Mention, Mention.id == IncidentMention.mention_id)
        .where(Mention.case_id == case.id)
    )
    by_hand = select(IncidentCase.incident_id).where(IncidentCase.case_id == case.id)
    incidents = session.scalars(
        select(Incident).where(
            Incident.brand_id == case.brand_id,
            Incident.status.in_(OPEN_STATUSES),
            Incident.id.in_(through_mentions.union(by_hand).scalar_subquery()),
        )
    ).all()
    return sorted(incidents, key=lambda i: (i.status is not IncidentStatus.ACTIVE, -i.id))


def case_topic(session: Session, case: Case) -> CaseTopic:
    """The case's categories (as analysis or agents labelled its messages) and its customer's words."""
    texts = session.scalars(
        select(Mention.text).where(Mention.case_id == case.id).order_by(Mention.created_at)
    ).all()
    categories = session.scalars(
        select(Enrichment.label)
        .join(Mention, Mention.id == Enrichment.mention_id)
        .where(Mention.case_id == case.id, Enrichment.analyzer == "category")
    ).all()
    return CaseTopic.of(categories, texts, channel=case.channel)


def _valid(point: TalkingPoint, now: datetime) -> bool:
    return is_valid(
        now,
        as_utc(point.valid_from) if point.valid_from else None,
        as_utc(point.valid_until) if point.valid_until else None,
    )


def statements_for_case(
    session: Session, case: Case, *, topic: CaseTopic | None = None, now: datetime | None = None
) -> list[CurrentStatement]:
    """Current statements that apply to the case: its open incidents' holding statements (active
    incident first), then statements on its topic, most specific match first."""
    now = now or utcnow()
    note_shown(session, [case.brand_id])
    incidents = linked_incidents(session, case)
    by_incident = {incident.id: incident for incident in incidents}
    incident_points = (
        session.scalars(
            select(TalkingPoint).where(
                TalkingPoint.brand_id == case.brand_id, TalkingPoint.incident_id.in_(by_incident)
            )
        ).all()
        if by_incident
        else []
    )
    topic_points = session.scalars(
        select(TalkingPoint).where(TalkingPoint.brand_id == case.brand_id, TalkingPoint.incident_id.is_(None))
    ).all()
    points = [p for p in (*incident_points, *topic_points) if _valid(p, now)]
    versions = current_versions(session, [p.id for p in points])
    topic = topic if topic is not None else case_topic(session, case)

    found: list[CurrentStatement] = []
    for point in points:
        version = versions.get(point.id)
        if version is None:
            continue
        if point.incident_id is not None:
            found.append(CurrentStatement(point, version, incident=by_incident[point.incident_id]))
            continue
        matched = matched_terms(topic, categories=point.categories, keywords=point.keywords)
        if matched:
            found.append(CurrentStatement(point, version, matched=tuple(matched)))
    order = {incident.id: rank for rank, incident in enumerate(incidents)}
    return sorted(
        found,
        key=lambda s: (
            order[s.point.incident_id] if s.point.incident_id is not None else len(order),
            -len(s.matched),
            -s.version.created_at.timestamp(),
        ),
    )


def talking_points_for_case(session: Session, case: Case) -> list[values.TalkingPoint]:
    """The statements a reply on this case is checked against, in the order suggestions show them."""
    return [statement.as_value() for statement in statements_for_case(session, case)]


def holding_statements(
    session: Session, incident_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, CurrentStatement]:
    """The current holding statement of each of these incidents that has one in force."""
    now = now or utcnow()
    wanted = set(incident_ids)
    if not wanted:
        return {}
    points = [
        p
        for p in session.scalars(
            select(TalkingPoint).where(TalkingPoint.incident_id.in_(wanted)).order_by(TalkingPoint.id)
        )
        if _valid(p, now)
    ]
    versions = current_versions(session, [p.id for p in points])
    incidents = {i.id: i for i in session.scalars(select(Incident).where(Incident.id.in_(wanted)))}
    found: dict[int, CurrentStatement] = {}
    for point in points:
        version = versions.get(point.id)
        if version is not None and point.incident_id is not None:
            # the newest statement of an incident wins when it has several
            found[point.incident_id] = CurrentStatement(point, version, incident=incidents[point.incident_id])
    return found
