"""Incidents over JSON: the open ones with live counts, one with its figures, chart and timeline, and PR's work."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.accounts.models import User as Person
from ombuds.accounts.queries import get_role
from ombuds.cases.lifecycle import acting_role
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.errors import Forbidden, InvalidInput
from ombuds.fields import Count, Id
from ombuds.incidents import actions, bulk, queries
from ombuds.incidents.access import may_manage
from ombuds.incidents.models import Alert, Incident
from ombuds.incidents.schemas import (
    AlertRead,
    BulkActionCreate,
    BulkActionRead,
    BulkRefusal,
    CaseLink,
    IncidentCaseRead,
    IncidentCreate,
    IncidentDetail,
    IncidentList,
    IncidentMentionRead,
    IncidentRead,
    MergeInto,
    NoteCreate,
    OwnerUpdate,
    StatusUpdate,
    TimelineEntry,
    TitleUpdate,
)
from ombuds.web.deps import ApiReader, ApiScope, DbSession

router = APIRouter(prefix="/incidents", tags=["incidents"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    404: {"description": "No such incident among the brands the caller may see."},
}
_WRITE_ERRORS = _ERRORS | {
    403: {"description": "The caller's role in the brand does not manage incidents (pr, manager, admin do)."},
    422: {"description": "A field that cannot be used; the detail names it."},
}


def _incident(session: Session, incident_id: Id, scope: ApiScope) -> Incident:
    incident = queries.get_incident(session, incident_id, brand_ids=scope.brand_ids)
    if incident is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no incident {incident_id}")
    return incident


def _manager(session: Session, scope: ApiScope, brand_id: int) -> int | None:
    """The acting person's id, once their role allows managing incidents: a token made for a
    person carries their role; an integration's token (no person) has an agent's, so it reads."""
    actor = scope.actor(session)
    if not may_manage(acting_role(session, actor=actor, brand_id=brand_id)):
        raise Forbidden("managing incidents takes the pr, manager or admin role")
    return actor.user_id


def _detail(session: Session, incident: Incident) -> IncidentDetail:
    return IncidentDetail.model_validate(
        {
            **IncidentRead.model_validate(incident).model_dump(),
            "figures": queries.incident_figures(session, incident=incident),
            "series": queries.incident_series(session, incident=incident),
            "timeline": queries.incident_timeline(session, incident=incident),
        }
    )


@router.get("", response_model=IncidentList, responses=_ERRORS)
def list_incidents(
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[
        str | None, Query(description="Slug of one brand; default: every brand the caller sees.")
    ] = None,
    include_resolved: Annotated[bool, Query(description="Also list resolved incidents.")] = False,
) -> IncidentList:
    """Open incidents, most severe first, with their live counts."""
    brand_ids = [scope.brand_by_slug(brand).id] if brand is not None else list(scope.brand_ids)
    found = queries.list_incidents(session, brand_ids=brand_ids, include_resolved=include_resolved)
    return IncidentList(incidents=[IncidentRead.model_validate(incident) for incident in found])


@router.get("/alerts", response_model=list[AlertRead], responses=_ERRORS)
def list_alerts(
    scope: ApiReader,
    session: DbSession,
    unread: Annotated[bool, Query(description="Only alerts nobody has opened yet.")] = False,
) -> list[AlertRead]:
    """The in-app alerts: a new incident, or one that became more severe."""
    found = queries.list_alerts(session, brand_ids=scope.brand_ids, unread_only=unread)
    return [AlertRead.model_validate(alert) for alert in found]


@router.post("/alerts/{alert_id}/read", response_model=AlertRead, responses=_ERRORS)
def read_alert(alert_id: Id, scope: ApiReader, session: DbSession) -> AlertRead:
    alert = session.get(Alert, alert_id)
    if alert is None or alert.brand_id not in scope.brand_ids:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no alert {alert_id}")
    actions.mark_alert_read(session, alert=alert, now=utcnow())
    return AlertRead.model_validate(alert)


@router.post("", response_model=IncidentRead, status_code=status.HTTP_201_CREATED, responses=_WRITE_ERRORS)
def open_incident(
    body: IncidentCreate,
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")] = None,
) -> IncidentRead:
    """Open an incident by hand (a journalist called, a rumour in a forum the connectors miss)."""
    chosen = scope.brand_by_slug(brand)
    actor = _manager(session, scope, chosen.id)
    incident = actions.open_incident(
        session,
        brand_id=chosen.id,
        title=body.title,
        actor_id=actor,
        now=utcnow(),
        severity=body.severity,
        mention_ids=_own_mentions(session, chosen.id, body.mention_ids),
    )
    return IncidentRead.model_validate(incident)


def _own_mentions(session: Session, brand_id: int, mention_ids: list[int]) -> list[int]:
    from sqlalchemy import select

    from ombuds.mentions.models import Mention

    if not mention_ids:
        return []
    found = set(
        session.scalars(select(Mention.id).where(Mention.id.in_(mention_ids), Mention.brand_id == brand_id))
    )
    missing = [mention_id for mention_id in mention_ids if mention_id not in found]
    if missing:
        raise InvalidInput(f"mention_ids: no mention {missing[0]} in this brand")
    return mention_ids


@router.get("/{incident_id}", response_model=IncidentDetail, responses=_ERRORS)
def get_incident(incident_id: Id, scope: ApiReader, session: DbSession) -> IncidentDetail:
    """One incident: counts, post-incident figures, the volume and sentiment series, the timeline."""
    return _detail(session, _incident(session, incident_id, scope))


@router.get("/{incident_id}/mentions", response_model=list[IncidentMentionRead], responses=_ERRORS)
def list_mentions(
    incident_id: Id,
    scope: ApiReader,
    session: DbSession,
    limit: Annotated[Count, Query(ge=1, le=500)] = 100,
    offset: Annotated[Count, Query()] = 0,
) -> list[IncidentMentionRead]:
    """The incident's mentions, newest first."""
    incident = _incident(session, incident_id, scope)
    return queries.incident_mentions(session, incident=incident, limit=limit, offset=offset)


@router.get("/{incident_id}/cases", response_model=list[IncidentCaseRead], responses=_ERRORS)
def list_cases(incident_id: Id, scope: ApiReader, session: DbSession) -> list[IncidentCaseRead]:
    """Cases of the incident's mentions and cases linked by hand: every affected customer's case."""
    return queries.incident_cases(session, incident=_incident(session, incident_id, scope))


@router.get("/{incident_id}/timeline", response_model=list[TimelineEntry], responses=_ERRORS)
def timeline(incident_id: Id, scope: ApiReader, session: DbSession) -> list[TimelineEntry]:
    return queries.incident_timeline(session, incident=_incident(session, incident_id, scope))


@router.post("/{incident_id}/status", response_model=IncidentDetail, responses=_WRITE_ERRORS)
def set_status(incident_id: Id, body: StatusUpdate, scope: ApiReader, session: DbSession) -> IncidentDetail:
    """Watching, active or resolved; resolving freezes the post-incident figures in `summary`."""
    incident = _incident(session, incident_id, scope)
    actor = _manager(session, scope, incident.brand_id)
    actions.change_status(session, incident=incident, status=body.status, actor_id=actor, now=utcnow())
    return _detail(session, incident)


@router.post("/{incident_id}/title", response_model=IncidentDetail, responses=_WRITE_ERRORS)
def set_title(incident_id: Id, body: TitleUpdate, scope: ApiReader, session: DbSession) -> IncidentDetail:
    """Give the incident a title of your own; the detectors no longer refresh it as the storm grows."""
    incident = _incident(session, incident_id, scope)
    actor = _manager(session, scope, incident.brand_id)
    actions.rename_incident(session, incident=incident, title=body.title, actor_id=actor, now=utcnow())
    return _detail(session, incident)


@router.post("/{incident_id}/merge", response_model=IncidentDetail, responses=_WRITE_ERRORS)
def merge(incident_id: Id, body: MergeInto, scope: ApiReader, session: DbSession) -> IncidentDetail:
    """Merge this incident into another open one of the same event; returns the one it went into.

    Its mentions and hand-linked cases move there, it is resolved with `merged_into_id` set, and
    its storm's new mentions go there from now on. Both timelines record it; there is no undo.
    """
    incident = _incident(session, incident_id, scope)
    actor = _manager(session, scope, incident.brand_id)
    target = queries.get_incident(session, body.into, brand_ids=[incident.brand_id])
    if target is None:
        raise InvalidInput(f"into: no incident {body.into} in this brand")
    actions.merge_incident(session, source=incident, target=target, actor_id=actor, now=utcnow())
    session.flush()
    return _detail(session, target)


@router.post("/{incident_id}/owner", response_model=IncidentDetail, responses=_WRITE_ERRORS)
def set_owner(incident_id: Id, body: OwnerUpdate, scope: ApiReader, session: DbSession) -> IncidentDetail:
    """Give the incident to a person of PR (or to nobody with `null`)."""
    from ombuds.accounts.models import User

    incident = _incident(session, incident_id, scope)
    actor = _manager(session, scope, incident.brand_id)
    if body.owner_id is not None:
        owner = session.get(User, body.owner_id)
        if owner is None or not may_manage(get_role(session, user=owner, brand_id=incident.brand_id)):
            raise InvalidInput(f"owner_id: user {body.owner_id} does not manage this brand's incidents")
    actions.assign_owner(session, incident=incident, owner_id=body.owner_id, actor_id=actor, now=utcnow())
    return _detail(session, incident)


@router.post(
    "/{incident_id}/notes",
    response_model=list[TimelineEntry],
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
)
def add_note(incident_id: Id, body: NoteCreate, scope: ApiReader, session: DbSession) -> list[TimelineEntry]:
    """A note on the incident's timeline; returns the timeline."""
    incident = _incident(session, incident_id, scope)
    actor = _manager(session, scope, incident.brand_id)
    actions.add_note(session, incident=incident, text=body.text, actor_id=actor, now=utcnow())
    session.flush()
    return queries.incident_timeline(session, incident=incident)


@router.post("/{incident_id}/cases", response_model=list[IncidentCaseRead], responses=_WRITE_ERRORS)
def link_case(
    incident_id: Id, body: CaseLink, scope: ApiReader, session: DbSession
) -> list[IncidentCaseRead]:
    """Link a case of the same brand to the incident by hand."""
    incident = _incident(session, incident_id, scope)
    actor = _manager(session, scope, incident.brand_id)
    case = session.get(Case, body.case_id)
    if case is None or case.brand_id not in scope.brand_ids:
        raise InvalidInput(f"case_id: no case {body.case_id}")
    actions.link_case(
        session, incident=incident, case_id=case.id, case_brand_id=case.brand_id, actor_id=actor, now=utcnow()
    )
    session.flush()
    return queries.incident_cases(session, incident=incident)


@router.post("/{incident_id}/bulk", response_model=BulkActionRead, responses=_WRITE_ERRORS)
def act_on_open_cases(
    incident_id: Id, body: BulkActionCreate, scope: ApiReader, session: DbSession
) -> BulkActionRead:
    """Move, prioritise, assign or resolve every open case of the incident; each case records its change.

    A case the change cannot apply to (a resolution while another team's task is open) is listed
    in `refused` with the reason; the others change.
    """
    incident = _incident(session, incident_id, scope)
    _manager(session, scope, incident.brand_id)
    team = session.get(Team, body.team_id) if body.team_id is not None else None
    assignee = session.get(Person, body.assignee_id) if body.assignee_id is not None else None
    if body.assignee_id is not None and assignee is None:
        raise InvalidInput(f"assignee_id: no user {body.assignee_id}")
    wanted = bulk.BulkRequest(
        kind=bulk.BulkKind(body.action), team=team, priority=body.priority, assignee=assignee, note=body.note
    )
    outcome = bulk.apply_to_open_cases(
        session, incident=incident, request=wanted, actor=scope.actor(session), now=utcnow()
    )
    return BulkActionRead(
        action=body.action,
        detail=wanted.describe(),
        open_cases=outcome.total,
        changed=outcome.changed,
        unchanged=outcome.unchanged,
        refused=[BulkRefusal(case_id=case_id, reason=why) for case_id, why in outcome.refused.items()],
    )
