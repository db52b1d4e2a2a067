"""The only writers of the incident tables: incidents and their links, alerts and their channels,
the detectors' stored state. Each change to an incident is an event on its timeline; none commits.

The other incident modules decide (``alerts`` plans alerts, ``stage`` runs the detectors,
``delivery`` sends) and call these to write what they decided.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ombuds.cases.privacy import mask_found
from ombuds.enrichment.meaning import read_meaning
from ombuds.errors import InvalidInput
from ombuds.events import Event, record_event
from ombuds.incidents import queries
from ombuds.incidents.alerts import alert_payload, check_channel, plan_alerts
from ombuds.incidents.detectors import BrandMonitor, DetectorSettings, Severity, Storm, StormChange
from ombuds.incidents.detectors.state import (
    dumps,
    mentions_of_bare_handles,
    monitor_from_state,
    read_state,
    replay,
    voices_from_handles,
)
from ombuds.incidents.merging import merge_target
from ombuds.incidents.models import (
    OPEN_STATUSES,
    Alert,
    AlertChannel,
    AlertKind,
    AlertStatus,
    DetectorJournal,
    DetectorState,
    Incident,
    IncidentCase,
    IncidentMention,
    IncidentStatus,
)
from ombuds.incidents.titles import refreshed_title, storm_title
from ombuds.known_values import KnownValues
from ombuds.personal_values import values_around

SUBJECT = "incident"
#: Mention counts at which the timeline says how far the storm has grown.
MILESTONES = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
TITLE_CHARS = 300
#: The timeline entry of a title change; ``by_person`` marks a title the detectors leave alone.
RETITLED = "retitled"


def _event(
    session: Session,
    incident: Incident,
    kind: str,
    *,
    at: datetime,
    actor_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    record_event(
        session,
        brand_id=incident.brand_id,
        kind=f"incident.{kind}",
        subject_type=SUBJECT,
        subject_id=incident.id,
        actor_id=actor_id,
        data=data or {},
        occurred_at=at,
    )


def link_mentions(
    session: Session, *, incident: Incident, mention_ids: Iterable[int], at: datetime
) -> list[int]:
    """Attach mentions to the incident; those already attached are left alone. Returns the new ones."""
    wanted = sorted(set(mention_ids))
    if not wanted:
        return []
    present = set(
        session.scalars(
            select(IncidentMention.mention_id).where(
                IncidentMention.incident_id == incident.id, IncidentMention.mention_id.in_(wanted)
            )
        )
    )
    added = [mention_id for mention_id in wanted if mention_id not in present]
    if added:
        # one statement with every row, not an ORM object each: a storm's batch links hundreds
        session.execute(
            insert(IncidentMention),
            [
                {
                    "incident_id": incident.id,
                    "mention_id": mention_id,
                    "brand_id": incident.brand_id,
                    "attached_at": at,
                }
                for mention_id in added
            ],
        )
    incident.mention_count += len(added)
    return added


def _open_from_storm(session: Session, *, brand_id: int, storm: Storm, change: StormChange) -> Incident:
    incident = Incident(
        brand_id=brand_id,
        status=IncidentStatus.WATCHING,
        severity=Severity.LOW,
        signal=storm.signal.value,
        key=storm.key,
        title=storm_title(storm),
        storm_id=storm.storm_id,
        opened_at=change.at,
        updated_at=change.at,
        signals=[storm.signal.value],
    )
    session.add(incident)
    session.flush()
    alarm = change.alarm
    _event(
        session,
        incident,
        "opened",
        at=change.at,
        data={
            "signal": storm.signal.value,
            "key": storm.key,
            "evidence": alarm.evidence if alarm else {},
            "strength": round(alarm.strength, 2) if alarm else None,
        },
    )
    return incident


def _follow_storm(session: Session, incident: Incident, storm: Storm, at: datetime) -> list[str]:
    """Copy the storm's figures onto the incident; returns what to alert about (escalated)."""
    alerts: list[str] = []
    incident.author_count = storm.author_count
    incident.negative_count = storm.negative_count
    incident.reach = storm.reach
    incident.signals = sorted(storm.signals)
    incident.evidence = storm.evidence()
    if storm.representative_text:
        incident.representative_text = storm.representative_text
        incident.representative_mention_id = storm.representative_id
    _follow_title(session, incident, storm, at)
    if storm.first_mention_at is not None:
        first = datetime.fromtimestamp(storm.first_mention_at, at.tzinfo)
        incident.first_mention_at = min(incident.first_mention_at or first, first)
    if storm.last_mention_at is not None:
        incident.last_mention_at = datetime.fromtimestamp(storm.last_mention_at, at.tzinfo)
    if storm.severity.rank > incident.severity.rank:
        _event(
            session,
            incident,
            "escalated",
            at=at,
            data={"from": incident.severity.value, "to": storm.severity.value},
        )
        incident.severity = storm.severity
        alerts.append("escalated")
        if storm.severity.rank >= Severity.HIGH.rank and incident.status is IncidentStatus.WATCHING:
            _event(session, incident, "status_changed", at=at, data={"from": "watching", "to": "active"})
            incident.status = IncidentStatus.ACTIVE
    incident.updated_at = at
    return alerts


def _title_edited_by_person(session: Session, incident: Incident) -> bool:
    return incident.signal == "manual" or any(
        (data or {}).get("by_person")
        for data in session.scalars(
            select(Event.data).where(
                Event.subject_type == SUBJECT,
                Event.subject_id == incident.id,
                Event.kind == f"incident.{RETITLED}",
            )
        )
    )


def _follow_title(session: Session, incident: Incident, storm: Storm, at: datetime) -> None:
    """Refresh the title when what most people say, or the storm's size band, changed (``titles``)."""
    proposed = storm_title(storm, current=incident.title)
    if proposed == incident.title:
        return
    title = refreshed_title(
        current=incident.title, proposed=proposed, edited_by_person=_title_edited_by_person(session, incident)
    )
    if title is None:
        return
    _event(session, incident, RETITLED, at=at, data={"from": incident.title, "to": title, "by_person": False})
    incident.title = title


def _merged_end(session: Session, incident: Incident) -> Incident:
    """The incident a merged one went into (following a chain of merges); a storm keeps growing there."""
    seen = {incident.id}
    while incident.merged_into_id is not None and incident.merged_into_id not in seen:
        target = session.get(Incident, incident.merged_into_id)
        if target is None:
            break
        seen.add(target.id)
        incident = target
    return incident


def _propose_merge(session: Session, incident: Incident, *, at: datetime) -> None:
    """A new storm that looks like a part of an open incident gets a proposal on its timeline."""
    session.flush()
    shapes = queries.merge_shapes(session, brand_id=incident.brand_id, near=incident.id)
    new = next((shape for shape in shapes if shape.id == incident.id), None)
    into = merge_target(new, shapes) if new is not None else None
    if into is not None:
        propose_merge(session, incident=incident, into_id=into, at=at)


def apply_storm_changes(
    session: Session, *, brand_id: int, storms: Mapping[int, Storm], changes: Sequence[StormChange]
) -> list[Incident]:
    """Turn what the detectors saw into incidents: open, link mentions, escalate, note each change.

    Returns the incidents this batch touched. Alerts are queued for new incidents and for each
    step up in severity; sending them is another job's (after the transaction commits).
    """
    if not changes:
        return []
    by_storm: dict[int, list[StormChange]] = {}
    for change in changes:
        by_storm.setdefault(change.storm_id, []).append(change)
    known = {
        incident.storm_id: _merged_end(session, incident)
        for incident in session.scalars(
            select(Incident).where(Incident.brand_id == brand_id, Incident.storm_id.in_(list(by_storm)))
        )
    }
    touched: list[Incident] = []
    for storm_id, storm_changes in by_storm.items():
        storm = storms.get(storm_id)
        incident = known.get(storm_id)
        reasons: list[str] = []
        if incident is None:
            opened = next((c for c in storm_changes if c.kind == "opened"), None)
            if opened is None or storm is None:
                continue
            incident = _open_from_storm(session, brand_id=brand_id, storm=storm, change=opened)
            reasons.append("opened")
        if incident.status is IncidentStatus.RESOLVED:
            continue
        last = storm_changes[-1].at
        before = incident.mention_count
        link_mentions(
            session, incident=incident, mention_ids=(m for c in storm_changes for m in c.mention_ids), at=last
        )
        for change in storm_changes:
            if change.kind in ("signal", "reopened", "quiet"):
                data = {"signal": change.alarm.signal.value, "key": change.alarm.key} if change.alarm else {}
                _event(session, incident, change.kind, at=change.at, data=data)
        for milestone in MILESTONES:
            if before < milestone <= incident.mention_count:
                _event(session, incident, "grew", at=last, data={"mention_count": milestone})
        if storm is not None and incident.storm_id == storm_id:
            reasons.extend(_follow_storm(session, incident, storm, last))
        elif storm is not None and storm.last_mention_at is not None:
            # a storm whose incident was merged here: its mentions count, its figures are its own
            moment = datetime.fromtimestamp(storm.last_mention_at, last.tzinfo)
            incident.last_mention_at = max(incident.last_mention_at or moment, moment)
        if "opened" in reasons:
            _propose_merge(session, incident, at=last)
        for reason in dict.fromkeys(reasons):
            queue_alerts(session, incident=incident, reason=reason, at=last)
        touched.append(incident)
    return touched


# -- by hand -----------------------------------------------------------------------------------


def open_incident(
    session: Session,
    *,
    brand_id: int,
    title: str,
    actor_id: int | None,
    now: datetime,
    severity: Severity = Severity.MEDIUM,
    mention_ids: Sequence[int] = (),
) -> Incident:
    """A person opens an incident (a journalist called, say); it starts active."""
    if not title.strip():
        raise InvalidInput("title: an incident needs a title")
    incident = Incident(
        brand_id=brand_id,
        status=IncidentStatus.ACTIVE,
        severity=severity,
        signal="manual",
        key="manual",
        title=title.strip()[:TITLE_CHARS],
        opened_at=now,
        updated_at=now,
        owner_id=actor_id,
        signals=["manual"],
    )
    session.add(incident)
    session.flush()
    _event(session, incident, "opened", at=now, actor_id=actor_id, data={"signal": "manual"})
    link_mentions(session, incident=incident, mention_ids=mention_ids, at=now)
    return incident


def change_status(
    session: Session, *, incident: Incident, status: IncidentStatus, actor_id: int | None, now: datetime
) -> None:
    """Watching, active or resolved; resolving freezes the post-incident figures."""
    if status is incident.status:
        return
    _event(
        session,
        incident,
        "status_changed",
        at=now,
        actor_id=actor_id,
        data={"from": incident.status.value, "to": status.value},
    )
    incident.status = status
    incident.updated_at = now
    if status is IncidentStatus.RESOLVED:
        incident.resolved_at = now
        session.flush()
        incident.summary = queries.incident_figures(session, incident=incident).model_dump(mode="json")
    else:
        incident.resolved_at = None


def assign_owner(
    session: Session, *, incident: Incident, owner_id: int | None, actor_id: int | None, now: datetime
) -> None:
    """The person in PR who owns the response."""
    if owner_id == incident.owner_id:
        return
    _event(
        session,
        incident,
        "owner_changed",
        at=now,
        actor_id=actor_id,
        data={"from": incident.owner_id, "to": owner_id},
    )
    incident.owner_id = owner_id
    incident.updated_at = now


def add_note(session: Session, *, incident: Incident, text: str, actor_id: int | None, now: datetime) -> None:
    """A note on the timeline: what was decided, who was called."""
    if not text.strip():
        raise InvalidInput("text: a note needs some words")
    _event(session, incident, "note", at=now, actor_id=actor_id, data={"text": text.strip()})
    incident.updated_at = now


def link_case(
    session: Session,
    *,
    incident: Incident,
    case_id: int,
    case_brand_id: int,
    actor_id: int | None,
    now: datetime,
) -> bool:
    """Link a case by hand; False when it was already linked."""
    if case_brand_id != incident.brand_id:
        raise InvalidInput("case: belongs to another brand")
    if session.get(IncidentCase, (incident.id, case_id)) is not None:
        return False
    session.add(
        IncidentCase(
            incident_id=incident.id,
            case_id=case_id,
            brand_id=incident.brand_id,
            linked_at=now,
            linked_by_id=actor_id,
        )
    )
    _event(session, incident, "case_linked", at=now, actor_id=actor_id, data={"case_id": case_id})
    incident.updated_at = now
    return True


def record_bulk_action(
    session: Session,
    *,
    incident: Incident,
    action: str,
    detail: str,
    case_ids: Sequence[int],
    refused: int,
    actor_id: int | None,
    now: datetime,
) -> None:
    """One timeline entry for an action applied to the incident's open cases (each case has its own event)."""
    _event(
        session,
        incident,
        "bulk_action",
        at=now,
        actor_id=actor_id,
        data={"action": action, "detail": detail, "case_ids": list(case_ids), "refused": refused},
    )
    incident.updated_at = now


def rename_incident(
    session: Session, *, incident: Incident, title: str, actor_id: int | None, now: datetime
) -> bool:
    """A person's title: kept from now on, whatever the storm does. False when it was the title already."""
    title = title.strip()[:TITLE_CHARS]
    if not title:
        raise InvalidInput("title: an incident needs a title")
    if title == incident.title:
        return False
    _event(
        session,
        incident,
        RETITLED,
        at=now,
        actor_id=actor_id,
        data={"from": incident.title, "to": title, "by_person": True},
    )
    incident.title = title
    incident.updated_at = now
    return True


def merge_incident(
    session: Session, *, source: Incident, target: Incident, actor_id: int | None, now: datetime
) -> int:
    """Merge ``source`` into ``target``, one event: its mentions and hand-linked cases move, it is
    resolved and points at ``target``, and its storm's new mentions go to ``target`` from now on.

    Returns how many mentions moved. Both timelines get an entry; undoing is not offered.
    """
    if source.id == target.id:
        raise InvalidInput("into: an incident cannot be merged into itself")
    if source.brand_id != target.brand_id:
        raise InvalidInput(f"into: no incident {target.id} in this brand")
    if source.merged_into_id is not None:
        raise InvalidInput(f"incident {source.id} was merged into #{source.merged_into_id} already")
    if target.merged_into_id is not None or not is_open(target):
        raise InvalidInput(f"into: incident {target.id} is not open; merge into an open incident")
    data = {"from": source.id, "into": target.id}
    _event(session, target, "merged_in", at=now, actor_id=actor_id, data=data)
    _event(session, source, "merged", at=now, actor_id=actor_id, data=data)
    # resolved first, so its frozen figures say what it held
    change_status(session, incident=source, status=IncidentStatus.RESOLVED, actor_id=actor_id, now=now)
    source.merged_into_id = target.id
    moved = link_mentions(
        session,
        incident=target,
        mention_ids=list(
            session.scalars(
                select(IncidentMention.mention_id).where(IncidentMention.incident_id == source.id)
            )
        ),
        at=now,
    )
    session.execute(delete(IncidentMention).where(IncidentMention.incident_id == source.id))
    linked = set(session.scalars(select(IncidentCase.case_id).where(IncidentCase.incident_id == target.id)))
    for link in list(session.scalars(select(IncidentCase).where(IncidentCase.incident_id == source.id))):
        if link.case_id not in linked:
            session.add(
                IncidentCase(
                    incident_id=target.id,
                    case_id=link.case_id,
                    brand_id=target.brand_id,
                    linked_at=link.linked_at,
                    linked_by_id=link.linked_by_id,
                )
            )
    session.execute(delete(IncidentCase).where(IncidentCase.incident_id == source.id))
    source.mention_count = 0
    if source.first_mention_at is not None:
        target.first_mention_at = min(
            target.first_mention_at or source.first_mention_at, source.first_mention_at
        )
    if source.last_mention_at is not None:
        target.last_mention_at = max(target.last_mention_at or source.last_mention_at, source.last_mention_at)
    target.signals = sorted(set(target.signals) | set(source.signals))
    if source.severity.rank > target.severity.rank:
        target.severity = source.severity
    target.updated_at = now
    return len(moved)


def propose_merge(session: Session, *, incident: Incident, into_id: int, at: datetime) -> None:
    """Note on the new incident's timeline that it looks like a part of an open one (a person decides)."""
    _event(session, incident, "merge_proposed", at=at, data={"into": into_id})


def is_open(incident: Incident) -> bool:
    return incident.status in OPEN_STATUSES


# -- alerts ------------------------------------------------------------------------------------


def queue_alerts(session: Session, *, incident: Incident, reason: str, at: datetime) -> list[Alert]:
    """Write the alerts one incident change raises (``alerts.plan_alerts`` decides which)."""
    quoted = [incident.representative_mention_id] if incident.representative_mention_id is not None else []
    # the quote may repeat bare a value found in another of its writer's messages
    known = KnownValues(values_around(session, quoted))
    payload = alert_payload(
        incident,
        reason=reason,
        path=f"/incidents/{incident.id}",
        mask=lambda text: known.mask(mask_found(text)),
    )
    channels = session.scalars(
        select(AlertChannel).where(
            AlertChannel.brand_id == incident.brand_id, AlertChannel.is_active.is_(True)
        )
    )
    alerts = [
        Alert(
            brand_id=incident.brand_id,
            incident_id=incident.id,
            channel_id=plan.channel_id,
            kind=plan.kind,
            reason=reason,
            severity=incident.severity,
            status=plan.status,
            payload=payload,
            created_at=at,
            due_at=plan.due_at,
            sent_at=at if plan.status is AlertStatus.SENT else None,
        )
        for plan in plan_alerts(incident.severity, at=at, channels=channels)
    ]
    session.add_all(alerts)
    return alerts


def queue_test_alert(session: Session, *, channel: AlertChannel, payload: dict[str, object]) -> Alert:
    """One alert outside any incident, to show a channel delivers (``channel_trial`` sends it)."""
    alert = Alert(
        brand_id=channel.brand_id,
        channel_id=channel.id,
        kind=channel.kind,
        reason="test",
        severity=Severity.LOW,
        payload=payload,
    )
    session.add(alert)
    session.flush()
    return alert


def add_channel(
    session: Session,
    *,
    brand_id: int,
    name: str,
    kind: AlertKind,
    target: str = "",
    min_severity: Severity = Severity.MEDIUM,
    quiet_from_hour: int | None = None,
    quiet_until_hour: int | None = None,
    timezone: str = "UTC",
) -> AlertChannel:
    """A place the brand's alerts go."""
    check_channel(
        kind,
        target=target,
        quiet_from_hour=quiet_from_hour,
        quiet_until_hour=quiet_until_hour,
        timezone=timezone,
    )
    channel = AlertChannel(
        brand_id=brand_id,
        name=name,
        kind=kind,
        target=target,
        min_severity=min_severity,
        quiet_from_hour=quiet_from_hour,
        quiet_until_hour=quiet_until_hour,
        timezone=timezone,
    )
    session.add(channel)
    session.flush()
    return channel


def record_delivery(
    session: Session, *, alert_id: int, error: str | None, now: datetime, max_attempts: int
) -> AlertStatus:
    """What one try to send an alert came to: sent, or tried again later with a growing pause, or failed."""
    alert = session.get(Alert, alert_id)
    assert alert is not None
    alert.attempts += 1
    if error is None:
        alert.status, alert.sent_at, alert.error = AlertStatus.SENT, now, None
    elif alert.attempts >= max_attempts:
        alert.status, alert.error = AlertStatus.FAILED, error
    else:
        alert.status, alert.error = AlertStatus.PENDING, error
        alert.due_at = now + timedelta(minutes=2**alert.attempts)
    return alert.status


def mark_alert_read(session: Session, *, alert: Alert, now: datetime) -> None:
    """Someone opened the in-app alert."""
    if alert.read_at is None:
        alert.read_at = now


# -- the detectors' stored state ---------------------------------------------------------------


def new_state_version() -> int:
    """A stored state's version: not a counter, so two databases never look alike."""
    return random.randrange(1, 2**31)


def detector_state_for_update(session: Session, *, brand_id: int, now: datetime) -> DetectorState:
    """The brand's stored detectors, locked for this batch; an empty row for a new brand."""
    row = session.scalar(select(DetectorState).where(DetectorState.brand_id == brand_id).with_for_update())
    if row is None:
        row = DetectorState(brand_id=brand_id, version=0, settings={}, updated_at=now)
        session.add(row)
        session.flush()
    return row


def detector_journal(session: Session, *, brand_id: int) -> list[tuple[bytes, int]]:
    """The brand's journal entries since its state was stored whole, oldest first, with their sizes."""
    rows = session.execute(
        select(DetectorJournal.entry, DetectorJournal.observations)
        .where(DetectorJournal.brand_id == brand_id)
        .order_by(DetectorJournal.id)
    )
    return [(entry, observations) for entry, observations in rows]


def store_detector_state(
    session: Session, *, row: DetectorState, state: bytes, now: datetime, version: int | None = None
) -> None:
    """Keep the detectors whole as they stand after a batch, in place of the journal;
    unchanged state (a rerun) writes nothing. ``version``: the one the writer chose, else a new one."""
    if state != row.state:
        row.state = state
        row.version = version or new_state_version()

        row.updated_at = now
    session.execute(delete(DetectorJournal).where(DetectorJournal.brand_id == row.brand_id))


def journal_detector_batch(
    session: Session,
    *,
    row: DetectorState,
    entry: bytes,
    observations: int,
    now: datetime,
    version: int | None = None,
) -> None:
    """Keep one batch's change to the detectors as a journal entry after the stored state."""
    session.add(
        DetectorJournal(brand_id=row.brand_id, entry=entry, observations=observations, created_at=now)
    )
    row.version = version or new_state_version()
    row.updated_at = now


def stored_monitor(session: Session, state: bytes) -> BrandMonitor:
    """A brand's monitor from its stored state, linking agreeing people by meaning as the
    detection stage does (a journal replayed without it could open other storms). A state
    stored with bare handles takes its mentions' channels (``voices_from_handles``)."""
    values = read_state(state)
    channels = queries.channels_of_mentions(session, mentions_of_bare_handles(values))
    monitor = monitor_from_state(voices_from_handles(values, channels))
    monitor.read_meaning_with(read_meaning)
    return monitor


def set_detector_settings(
    session: Session, *, brand_id: int, settings: DetectorSettings, now: datetime
) -> None:
    """Change a brand's detector thresholds; its history is kept."""
    row = session.get(DetectorState, brand_id)
    if row is None:
        row = DetectorState(brand_id=brand_id, version=0, settings={}, updated_at=now)
        session.add(row)
    row.settings = settings.to_dict()
    if row.state is not None:
        journal = detector_journal(session, brand_id=brand_id)
        monitor = replay(stored_monitor(session, row.state), (entry for entry, _ in journal))
        monitor.settings = settings
        monitor.detectors.monitor = monitor
        monitor.book.settings = settings
        store_detector_state(session, row=row, state=dumps(monitor), now=now)
        row.version = new_state_version()
    row.updated_at = now
