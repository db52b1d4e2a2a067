"""Reads of incidents. Every read takes the brands its caller may see and never looks outside them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import User
from ombuds.cases.models import OPEN_STATUSES as OPEN_CASE_STATUSES
from ombuds.cases.models import Case, Customer
from ombuds.clock import as_utc
from ombuds.enrichment.models import Enrichment
from ombuds.events import Event
from ombuds.incidents.detectors.text import LINKS
from ombuds.incidents.merging import IncidentShape, overlaps
from ombuds.incidents.models import (
    OPEN_STATUSES,
    Alert,
    AlertStatus,
    Incident,
    IncidentCase,
    IncidentMention,
    IncidentStatus,
)
from ombuds.incidents.observations import engagement_of
from ombuds.incidents.schemas import (
    IncidentCaseRead,
    IncidentFigures,
    IncidentMentionRead,
    SeriesPoint,
    TimelineEntry,
)
from ombuds.mentions.models import Mention
from ombuds.shown_brands import note_shown

SENTIMENTS = ("negative", "neutral", "positive")


def get_incident(session: Session, incident_id: int, *, brand_ids: Collection[int]) -> Incident | None:
    """The incident, if it belongs to one of ``brand_ids``; another brand's is as good as missing."""
    incident = session.scalar(
        select(Incident).where(Incident.id == incident_id, Incident.brand_id.in_(brand_ids))
    )
    if incident is not None:
        note_shown(session, [incident.brand_id])
    return incident


def list_incidents(
    session: Session, *, brand_ids: Collection[int], include_resolved: bool = False, limit: int = 100
) -> list[Incident]:
    """Open incidents first by severity, then the newest; resolved ones only when asked."""
    note_shown(session, brand_ids)
    query = select(Incident).where(Incident.brand_id.in_(brand_ids))
    if not include_resolved:
        query = query.where(Incident.status.in_(OPEN_STATUSES))
    # incidents opened by one message (a volume and a category alarm) share their moment: ids decide
    found = list(session.scalars(query.order_by(Incident.opened_at.desc(), Incident.id.desc()).limit(limit)))
    found.sort(
        key=lambda i: (i.status not in OPEN_STATUSES, -i.severity.rank, -i.opened_at.timestamp(), -i.id)
    )
    return found


def incident_mentions(
    session: Session, *, incident: Incident, limit: int = 200, offset: int = 0
) -> list[IncidentMentionRead]:
    """The incident's mentions, newest first, with their sentiment."""
    rows = session.execute(
        select(Mention, Enrichment.label)
        .join(IncidentMention, IncidentMention.mention_id == Mention.id)
        .outerjoin(Enrichment, (Enrichment.mention_id == Mention.id) & (Enrichment.analyzer == "sentiment"))
        .where(IncidentMention.incident_id == incident.id, Mention.brand_id == incident.brand_id)
        .order_by(Mention.created_at.desc(), Mention.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        IncidentMentionRead(
            id=mention.id,
            created_at=mention.created_at,
            author_handle=mention.author_handle,
            author_followers=mention.author_followers,
            text=mention.text,
            url=mention.url,
            sentiment=sentiment,
            case_id=mention.case_id,
        )
        for mention, sentiment in rows
    ]


def _case_ids(session: Session, incident: Incident) -> tuple[set[int], set[int]]:
    """Cases of the linked mentions, and cases linked by hand."""
    through_mentions = set(
        session.scalars(
            select(Mention.case_id)
            .join(IncidentMention, IncidentMention.mention_id == Mention.id)
            .where(IncidentMention.incident_id == incident.id, Mention.case_id.is_not(None))
            .distinct()
        )
    )
    by_hand = set(
        session.scalars(select(IncidentCase.case_id).where(IncidentCase.incident_id == incident.id))
    )
    return {case_id for case_id in through_mentions if case_id is not None}, by_hand


def incident_cases(session: Session, *, incident: Incident, limit: int = 500) -> list[IncidentCaseRead]:
    """The cases the incident touches: open ones first."""
    through_mentions, by_hand = _case_ids(session, incident)
    ids = through_mentions | by_hand
    if not ids:
        return []
    rows = session.execute(
        select(Case, Customer.display_name)
        .join(Customer, Customer.id == Case.customer_id)
        .where(Case.id.in_(ids), Case.brand_id == incident.brand_id)
        .order_by(Case.last_activity_at.desc(), Case.id.desc())  # a storm's cases share seconds
        .limit(limit)
    )
    found = [
        IncidentCaseRead(
            id=case.id,
            subject=case.subject,
            status=case.status.value,
            customer_id=case.customer_id,
            customer_name=name,
            linked_by_hand=case.id in by_hand,
        )
        for case, name in rows
    ]
    open_values = {status.value for status in OPEN_CASE_STATUSES}
    found.sort(key=lambda c: c.status not in open_values)
    return found


def incident_timeline(session: Session, *, incident: Incident) -> list[TimelineEntry]:
    rows = session.execute(
        select(Event, User.name)
        .outerjoin(User, User.id == Event.actor_id)
        .where(
            Event.subject_type == "incident",
            Event.subject_id == incident.id,
            Event.brand_id == incident.brand_id,
        )
        .order_by(Event.occurred_at, Event.id)
    )
    return [
        TimelineEntry(
            kind=event.kind.removeprefix("incident."),
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            actor_name=name,
            data=event.data or {},
        )
        for event, name in rows
    ]


def _linked(session: Session, incident: Incident) -> list[tuple[datetime, str | None]]:
    rows = session.execute(
        select(Mention.created_at, Enrichment.label)
        .join(IncidentMention, IncidentMention.mention_id == Mention.id)
        .outerjoin(Enrichment, (Enrichment.mention_id == Mention.id) & (Enrichment.analyzer == "sentiment"))
        .where(IncidentMention.incident_id == incident.id)
    )
    return [(as_utc(at), label) for at, label in rows]


def bucket_size(first: datetime, last: datetime, *, buckets: int = 48) -> timedelta:
    """A round bucket width (5 minutes to a day) that shows the span in about ``buckets`` bars."""
    span = (last - first).total_seconds()
    for minutes in (5, 10, 15, 30, 60, 120, 180, 360, 720, 1440):
        if span / (minutes * 60) <= buckets:
            return timedelta(minutes=minutes)
    return timedelta(days=1)


def incident_series(session: Session, *, incident: Incident, buckets: int = 48) -> list[SeriesPoint]:
    """Linked mentions over time, by sentiment, in round buckets: the incident's chart."""
    linked = _linked(session, incident)
    if not linked:
        return []
    first = min(at for at, _ in linked)
    last = max(at for at, _ in linked)
    width = bucket_size(first, last, buckets=buckets)
    seconds = width.total_seconds()
    origin = datetime.fromtimestamp((first.timestamp() // seconds) * seconds, first.tzinfo)
    counts: dict[int, Counter[str]] = {}
    for at, label in linked:
        index = int((at - origin).total_seconds() // seconds)
        counts.setdefault(index, Counter())[label or "neutral"] += 1
    size = max(counts) + 1
    return [
        SeriesPoint(
            start=origin + index * width,
            total=sum(counts.get(index, Counter()).values()),
            negative=counts.get(index, Counter())["negative"],
            neutral=counts.get(index, Counter())["neutral"],
            positive=counts.get(index, Counter())["positive"],
        )
        for index in range(size)
    ]


def incident_figures(session: Session, *, incident: Incident) -> IncidentFigures:
    """Volume, reach, sentiment mix, duration and affected customers, from the linked rows."""
    mentions = session.execute(
        select(
            Mention.channel,
            Mention.author_handle,
            Mention.author_followers,
            Mention.metrics,
            Mention.customer_id,
            Mention.created_at,
        )
        .join(IncidentMention, IncidentMention.mention_id == Mention.id)
        .where(IncidentMention.incident_id == incident.id)
    ).all()
    followers: dict[tuple[str, str], int] = {}  # an author is a handle on one channel
    engagement = 0
    customers: set[int] = set()
    times: list[datetime] = []
    for channel, handle, audience, metrics, customer_id, created_at in mentions:
        author = (channel, handle)
        followers[author] = max(followers.get(author, 0), audience or 0)
        engagement += engagement_of(metrics)
        if customer_id is not None:
            customers.add(customer_id)
        times.append(as_utc(created_at))
    sentiment = Counter(label or "unknown" for _, label in _linked(session, incident))
    through_mentions, by_hand = _case_ids(session, incident)
    case_rows = session.execute(
        select(Case.id, Case.customer_id, Case.status).where(
            Case.id.in_(through_mentions | by_hand), Case.brand_id == incident.brand_id
        )
    ).all()
    customers.update(customer_id for _, customer_id, _ in case_rows)
    open_cases = [
        (case_id, customer_id) for case_id, customer_id, status in case_rows if status in OPEN_CASE_STATUSES
    ]
    first, last = (min(times), max(times)) if times else (None, None)
    return IncidentFigures(
        mention_count=len(mentions),
        author_count=len(followers),
        reach=sum(followers.values()),
        engagement=engagement,
        sentiment=dict(sorted(sentiment.items())),  # the same key order on every read
        first_mention_at=first,
        last_mention_at=last,
        duration_minutes=round((last - first).total_seconds() / 60, 1) if first and last else None,
        affected_customers=len(customers),
        customers_with_open_case=len({customer_id for _, customer_id in open_cases}),
        case_count=len(case_rows),
        open_case_count=len(open_cases),
    )


def list_alerts(
    session: Session, *, brand_ids: Collection[int], unread_only: bool = False, limit: int = 50
) -> list[Alert]:
    """In-app alerts, newest first."""
    note_shown(session, brand_ids)
    query = select(Alert).where(
        Alert.brand_id.in_(brand_ids), Alert.kind == "in_app", Alert.status != AlertStatus.SKIPPED
    )
    if unread_only:
        query = query.where(Alert.read_at.is_(None))
    return list(session.scalars(query.order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)))


def count_unread_alerts(session: Session, *, brand_ids: Collection[int]) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Alert)
            .where(
                Alert.brand_id.in_(brand_ids),
                Alert.kind == "in_app",
                Alert.read_at.is_(None),
                Alert.status != AlertStatus.SKIPPED,
            )
        )
        or 0
    )


def open_incidents_for_cases(session: Session, case_ids: Collection[int]) -> dict[int, list[Incident]]:
    """Per case, the open incidents it belongs to (through its mentions or linked by hand),
    active and most severe first: what the inbox and the case page show on each case."""
    if not case_ids:
        return {}
    wanted = list(case_ids)
    through_mentions = (
        select(Mention.case_id, IncidentMention.incident_id)
        .join(IncidentMention, IncidentMention.mention_id == Mention.id)
        .where(Mention.case_id.in_(wanted))
    )
    by_hand = select(IncidentCase.case_id, IncidentCase.incident_id).where(IncidentCase.case_id.in_(wanted))
    pairs = {
        (case_id, incident_id) for case_id, incident_id in session.execute(through_mentions.union(by_hand))
    }
    if not pairs:
        return {}
    incidents = {
        incident.id: incident
        for incident in session.scalars(
            select(Incident).where(
                Incident.id.in_({incident_id for _, incident_id in pairs}),
                Incident.status.in_(OPEN_STATUSES),
            )
        )
    }
    found: dict[int, list[Incident]] = {}
    for case_id, incident_id in sorted(pairs):
        incident = incidents.get(incident_id)
        if incident is not None and case_id is not None:
            found.setdefault(case_id, []).append(incident)
    for linked in found.values():
        linked.sort(key=lambda i: (i.status is not IncidentStatus.ACTIVE, -i.severity.rank, -i.id))
    return found


def merge_shapes(session: Session, *, brand_id: int, near: int) -> list[IncidentShape]:
    """The brand's open incidents as the merge decision reads them. Each one's commonest category
    is counted only for incident ``near`` and those overlapping it in time: the others cannot be
    proposed for it whatever their category (``merging.merge_target``), and counting every open
    incident's mentions took tens of milliseconds each time a storm opened."""
    incidents = list(
        session.scalars(
            select(Incident).where(
                Incident.brand_id == brand_id,
                Incident.status.in_(OPEN_STATUSES),
                Incident.merged_into_id.is_(None),
            )
        )
    )
    shapes = [
        IncidentShape(
            id=incident.id,
            opened_at=as_utc(incident.opened_at),
            first_mention_at=as_utc(incident.first_mention_at) if incident.first_mention_at else None,
            last_mention_at=as_utc(incident.last_mention_at) if incident.last_mention_at else None,
            key=incident.key,
            phrases=frozenset(p for p in (incident.evidence or {}).get("phrases", []) if p not in LINKS),
            is_manual=incident.signal == "manual",
        )
        for incident in incidents
    ]
    new = next((shape for shape in shapes if shape.id == near), None)
    if new is None:
        return shapes
    counted = session.execute(
        select(IncidentMention.incident_id, Enrichment.label, func.count())
        .join(Enrichment, Enrichment.mention_id == IncidentMention.mention_id)
        .where(
            IncidentMention.incident_id.in_(
                [shape.id for shape in shapes if shape is new or overlaps(shape, new)]
            ),
            Enrichment.analyzer == "category",
            Enrichment.label.is_not(None),
        )
        .group_by(IncidentMention.incident_id, Enrichment.label)
    )
    categories: dict[int, Counter[str]] = {}
    for incident_id, label, count in counted:
        if label is not None:
            categories.setdefault(incident_id, Counter())[label] = count
    return [replace(shape, category=_commonest(categories.get(shape.id))) for shape in shapes]


def _commonest(counts: Counter[str] | None) -> str | None:
    if not counts:
        return None
    return max(counts, key=lambda label: (counts[label], label))


def merge_proposal(session: Session, *, incident: Incident) -> Incident | None:
    """The open incident the desk proposed merging this one into, while both are open."""
    if incident.merged_into_id is not None or incident.status not in OPEN_STATUSES:
        return None
    into = session.scalars(
        select(Event.data)
        .where(
            Event.subject_type == "incident",
            Event.subject_id == incident.id,
            Event.brand_id == incident.brand_id,
            Event.kind == "incident.merge_proposed",
        )
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    target_id = (into or {}).get("into")
    target = session.get(Incident, target_id) if isinstance(target_id, int) else None
    if target is None or target.brand_id != incident.brand_id or target.status not in OPEN_STATUSES:
        return None
    return target if target.merged_into_id is None else None


def channels_of_mentions(session: Session, mention_ids: Collection[int]) -> dict[int, str]:
    """Each mention's channel, for those still stored (900 ids a read: SQLite's bound limit)."""
    ids = sorted(mention_ids)
    channels: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        rows = session.execute(select(Mention.id, Mention.channel).where(Mention.id.in_(chunk)))
        channels.update((mention_id, channel) for mention_id, channel in rows)
    return channels
