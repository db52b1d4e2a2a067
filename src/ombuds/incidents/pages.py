"""PR's view of incidents: the open ones with live counts and alerts, one incident's page, and the forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Membership, Team, User
from ombuds.accounts.queries import get_user, list_teams
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import OPEN_STATUSES as OPEN_CASE_STATUSES
from ombuds.cases.models import Case, Priority
from ombuds.cases.queries import list_case_workers
from ombuds.clock import utcnow
from ombuds.errors import InvalidInput, OmbudsError
from ombuds.fields import AsTyped, Id, NoNul, WholeNumber, parse_id
from ombuds.incidents import actions, bulk, charts, queries
from ombuds.incidents.access import MANAGING_ROLES, may_manage
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import Alert, Incident, IncidentStatus
from ombuds.incidents.schemas import NOTE_MAX_CHARS, TITLE_MAX_CHARS
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash, render

router = APIRouter()

STATUS_LABELS = {"watching": "Watch", "active": "Make active", "resolved": "Resolve"}
#: Mentions an incident's page lists at first, and the most it lists at once (a storm can hold
#: tens of thousands; the API pages through them all).
MENTIONS_SHOWN = 50
MENTIONS_SHOWN_AT_MOST = 1000
BULK_LABELS = {
    "team": "Move to team",
    "priority": "Set priority",
    "assign": "Assign to",
    "resolve": "Resolve with a note",
}
OPEN_CASE_VALUES = frozenset(status.value for status in OPEN_CASE_STATUSES)


def _incident(session: Session, signed_in: SignedIn, incident_id: Id) -> Incident:
    incident = queries.get_incident(session, incident_id, brand_ids=signed_in.brand_ids)
    if incident is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such incident.")
    return incident


def _managing(session: Session, signed_in: SignedIn, incident: Incident) -> int:
    role = signed_in.roles.get(incident.brand_id)
    if not may_manage(role):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Managing incidents takes the PR, manager or admin role."
        )
    return signed_in.user.id


def _back(incident_id: Id) -> RedirectResponse:
    return RedirectResponse(f"/incidents/{incident_id}", status_code=status.HTTP_303_SEE_OTHER)


def _owners(session: Session, brand_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.brand_id == brand_id, Membership.role.in_(MANAGING_ROLES))
            .order_by(User.name)
        )
    )


def _rows(session: Session, incidents: list[Incident]) -> list[dict[str, object]]:
    return [
        {
            "incident": incident,
            "spark": charts.sparkline(queries.incident_series(session, incident=incident, buckets=24)),
        }
        for incident in incidents
    ]


@router.get("/incidents")
def incident_list(
    request: Request, signed_in: CurrentUser, session: DbSession, fragment: str | None = None
) -> Response:
    """Open incidents of the brand, most severe first, with live counts; unread alerts on top."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    incidents = queries.list_incidents(session, brand_ids=[brand.id])
    resolved = [
        i
        for i in queries.list_incidents(session, brand_ids=[brand.id], include_resolved=True, limit=20)
        if i.status is IncidentStatus.RESOLVED
    ]
    context = {
        "rows": _rows(session, incidents),
        "resolved": resolved,
        "alerts": queries.list_alerts(session, brand_ids=[brand.id], unread_only=True, limit=10),
        "can_manage": may_manage(signed_in.role),
        "severities": [s.value for s in Severity],
    }
    template = "incidents/_list.html" if fragment == "list" else "incidents/list.html"
    return render(request, template, context, signed_in=signed_in)


def _alert(session: Session, signed_in: SignedIn, alert_id: int) -> tuple[Alert, int]:
    """The alert and its incident; an SLA breach's alert goes to outside channels only, so it is not here."""
    alert = session.get(Alert, alert_id)
    if alert is None or alert.brand_id not in signed_in.brand_ids or alert.incident_id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such alert.")
    return alert, alert.incident_id


@router.get("/incidents/alerts/{alert_id}")
def show_alert(alert_id: Id, signed_in: CurrentUser, session: DbSession) -> Response:
    """The alert's incident. Only reading: a link preview or prefetch must not mark it read for everyone."""
    return _back(_alert(session, signed_in, alert_id)[1])


@router.post("/incidents/alerts/{alert_id}/read")
def open_alert(alert_id: Id, signed_in: CurrentUser, session: DbSession) -> Response:
    """Follow an in-app alert: it counts as read (for the whole team), and the incident opens."""
    alert, incident_id = _alert(session, signed_in, alert_id)
    actions.mark_alert_read(session, alert=alert, now=utcnow())
    return _back(incident_id)


@router.get("/incidents/{incident_id}")
def incident_page(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    fragment: str | None = None,
    merged_from: Id | None = None,
    shown: Annotated[WholeNumber, Query(ge=MENTIONS_SHOWN, le=MENTIONS_SHOWN_AT_MOST)] = MENTIONS_SHOWN,
) -> Response:
    """One incident: what it is about, how it grows (chart), who it touches, what PR has done.

    A merged incident's page is the page of the incident it went into, saying so. Its newest
    ``shown`` mentions are listed; the page offers as many more each time.
    """
    incident = _incident(session, signed_in, incident_id)
    if incident.merged_into_id is not None:
        return RedirectResponse(
            f"/incidents/{incident.merged_into_id}?merged_from={incident.id}",
            status_code=status.HTTP_303_SEE_OTHER,
        )
    series = queries.incident_series(session, incident=incident)
    context_cases = queries.incident_cases(session, incident=incident)
    zone = signed_in.timezone_of(session, incident.brand_id)
    context = {
        "page_zone": zone,
        "incident": incident,
        "figures": queries.incident_figures(session, incident=incident),
        "chart": charts.volume_chart(series, timezone=zone),
        "timeline": queries.incident_timeline(session, incident=incident),
        "mentions": queries.incident_mentions(session, incident=incident, limit=shown),
        "more_shown": min(shown + MENTIONS_SHOWN, MENTIONS_SHOWN_AT_MOST),
        "cases": context_cases,
        "owners": _owners(session, incident.brand_id),
        "owner": session.get(User, incident.owner_id) if incident.owner_id else None,
        "can_manage": may_manage(signed_in.roles.get(incident.brand_id)),
        "statuses": [s.value for s in IncidentStatus if s is not incident.status],
        "status_labels": STATUS_LABELS,
        "open_case_count": sum(1 for case in context_cases if case.status in OPEN_CASE_VALUES),
        "teams": list_teams(session, incident.brand_id),
        "workers": list_case_workers(session, brand_id=incident.brand_id),
        "priorities": [(int(p), p.name.lower()) for p in Priority],
        "bulk_kinds": BULK_LABELS,
        "merge_proposal": queries.merge_proposal(session, incident=incident),
        "merged_from": _merged_from(session, incident, merged_from),
    }
    context |= panels.context_for("incident", session, incident, signed_in)
    template = "incidents/_live.html" if fragment == "live" else "incidents/incident.html"
    return render(request, template, context, signed_in=signed_in)


def _merged_from(session: Session, incident: Incident, merged_from: int | None) -> Incident | None:
    """The incident named in ``?merged_from=``, when it really went into this one."""
    if merged_from is None:
        return None
    source = session.get(Incident, merged_from)
    return source if source is not None and source.merged_into_id == incident.id else None


@router.post("/incidents")
def open_by_hand(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    title: Annotated[str, Form(max_length=TITLE_MAX_CHARS), NoNul],
    severity: Annotated[str, Form()] = "medium",
) -> Response:
    brand = signed_in.brand
    if brand is None or not may_manage(signed_in.role):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Opening incidents takes the PR, manager or admin role."
        )
    try:
        chosen = Severity(severity)
        incident = actions.open_incident(
            session, brand_id=brand.id, title=title, actor_id=signed_in.user.id, now=utcnow(), severity=chosen
        )
    except (OmbudsError, ValueError) as exc:
        flash(request, str(exc), "error")
        return RedirectResponse("/incidents", status_code=status.HTTP_303_SEE_OTHER)
    return _back(incident.id)


@router.post("/incidents/{incident_id}/status")
def change_status(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    status_: Annotated[str, Form(alias="status")],
) -> Response:
    incident = _incident(session, signed_in, incident_id)
    actor = _managing(session, signed_in, incident)
    try:
        target = IncidentStatus(status_)
    except ValueError:
        flash(request, f"Unknown status {status_!r}.", "error")
        return _back(incident.id)
    actions.change_status(session, incident=incident, status=target, actor_id=actor, now=utcnow())
    flash(request, f"Incident is now {target.value}.", "success")
    return _back(incident.id)


@router.post("/incidents/{incident_id}/title")
def rename(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    title: Annotated[str, Form(max_length=TITLE_MAX_CHARS), NoNul],
) -> Response:
    """A title of PR's own: the detectors stop refreshing it as the storm grows."""
    incident = _incident(session, signed_in, incident_id)
    actor = _managing(session, signed_in, incident)
    try:
        actions.rename_incident(session, incident=incident, title=title, actor_id=actor, now=utcnow())
    except OmbudsError as exc:
        flash(request, str(exc), "error")
    return _back(incident.id)


@router.post("/incidents/{incident_id}/owner")
def change_owner(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    owner_id: Annotated[str, Form()] = "",
) -> Response:
    incident = _incident(session, signed_in, incident_id)
    actor = _managing(session, signed_in, incident)
    owners = {user.id for user in _owners(session, incident.brand_id)}
    chosen = parse_id(owner_id)
    if (chosen is None and owner_id.strip()) or (chosen is not None and chosen not in owners):
        flash(request, "That person does not run this brand's incidents.", "error")
        return _back(incident.id)
    actions.assign_owner(session, incident=incident, owner_id=chosen, actor_id=actor, now=utcnow())
    return _back(incident.id)


@router.post("/incidents/{incident_id}/notes")
def add_note(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    note: Annotated[str, AsTyped, Form(max_length=NOTE_MAX_CHARS), NoNul],
) -> Response:
    incident = _incident(session, signed_in, incident_id)
    actor = _managing(session, signed_in, incident)
    try:
        actions.add_note(session, incident=incident, text=note, actor_id=actor, now=utcnow())
    except OmbudsError as exc:
        flash(request, str(exc), "error")
    return _back(incident.id)


@router.post("/incidents/{incident_id}/cases")
def link_case(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    case_id: Annotated[str, Form()],
) -> Response:
    incident = _incident(session, signed_in, incident_id)
    actor = _managing(session, signed_in, incident)
    wanted = parse_id(case_id)
    case = session.get(Case, wanted) if wanted is not None else None
    if case is None or case.brand_id != incident.brand_id:
        flash(request, f"No case {case_id.strip()!r} in this brand.", "error")
        return _back(incident.id)
    actions.link_case(
        session, incident=incident, case_id=case.id, case_brand_id=case.brand_id, actor_id=actor, now=utcnow()
    )
    flash(request, f"Case #{case.id} linked.", "success")
    return _back(incident.id)


@router.post("/incidents/{incident_id}/merge")
def merge(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    into: Annotated[str, Form(max_length=20)],
) -> Response:
    """Merge this incident into another of the same event: its mentions and cases go there."""
    incident = _incident(session, signed_in, incident_id)
    actor = _managing(session, signed_in, incident)
    wanted = parse_id(into.strip().lstrip("#"))
    target = queries.get_incident(session, wanted, brand_ids=[incident.brand_id]) if wanted else None
    try:
        if target is None:
            raise InvalidInput(f"into: no incident {into.strip()!r} in this brand")
        actions.merge_incident(session, source=incident, target=target, actor_id=actor, now=utcnow())
    except OmbudsError as exc:
        session.rollback()
        flash(request, str(exc), "error")
        return _back(incident.id)
    flash(request, f"Incident #{incident.id} merged into #{target.id}.", "success")
    return _back(target.id)


def _bulk_request(
    session: Session, brand_id: int, *, action: str, team_id: str, priority: str, assignee_id: str, note: str
) -> bulk.BulkRequest:
    """The form's fields as a request; InvalidInput naming the field that cannot be used."""
    try:
        kind = bulk.BulkKind(action)
    except ValueError:
        raise InvalidInput(f"action: {action!r} is not one of {', '.join(BULK_LABELS)}") from None
    team = None
    if kind is bulk.BulkKind.TEAM:
        wanted = parse_id(team_id)
        team = session.get(Team, wanted) if wanted is not None else None
        if team is None or team.brand_id != brand_id:
            raise InvalidInput("team_id: choose a team of this brand")
    chosen_priority = None
    if kind is bulk.BulkKind.PRIORITY:
        chosen_priority = parse_id(priority)
        if chosen_priority not in set(Priority):
            raise InvalidInput("priority: choose urgent, high, normal or low")
    assignee = None
    if kind is bulk.BulkKind.ASSIGN and assignee_id.strip():
        wanted = parse_id(assignee_id)
        assignee = get_user(session, wanted) if wanted is not None else None
        if assignee is None:
            raise InvalidInput(f"assignee_id: no user {assignee_id.strip()!r}")
    request = bulk.BulkRequest(kind=kind, team=team, priority=chosen_priority, assignee=assignee, note=note)
    bulk.check_request(request, brand_id=brand_id)
    return request


@router.post("/incidents/{incident_id}/bulk")
def act_on_open_cases(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    action: Annotated[str, Form(max_length=20)],
    team_id: Annotated[str, Form(max_length=20)] = "",
    priority: Annotated[str, Form(max_length=20)] = "",
    assignee_id: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, AsTyped, Form(max_length=NOTE_MAX_CHARS), NoNul] = "",
    confirmed: Annotated[str, Form(max_length=10)] = "",
    chosen: Annotated[str, Form(max_length=10)] = "",
    case: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies a default)
) -> Response:
    """Move, prioritise, assign or resolve every open case of the incident, after a confirmation
    listing them: the person unticks any the incident does not concern."""
    incident = _incident(session, signed_in, incident_id)
    _managing(session, signed_in, incident)
    try:
        wanted = _bulk_request(
            session,
            incident.brand_id,
            action=action,
            team_id=team_id,
            priority=priority,
            assignee_id=assignee_id,
            note=note,
        )
    except OmbudsError as exc:
        flash(request, str(exc), "error")
        return _back(incident.id)
    if confirmed != "yes":
        fields = {"action": action, "team_id": team_id, "priority": priority, "assignee_id": assignee_id}
        cases = bulk.open_cases(session, incident=incident)
        return render(
            request,
            "incidents/confirm_bulk.html",
            {
                "incident": incident,
                "what": wanted.describe(),
                "count": len(cases),
                "cases": cases,
                "post_to": f"/incidents/{incident.id}/bulk",
                "fields": fields | {"note": note},
            },
            signed_in=signed_in,
        )
    try:
        outcome = bulk.apply_to_open_cases(
            session,
            incident=incident,
            request=wanted,
            actor=Actor(signed_in.user),
            now=utcnow(),
            only=bulk.ticked(chosen, case),
        )
    except OmbudsError as exc:
        session.rollback()
        flash(request, str(exc), "error")
        return _back(incident.id)
    flash(request, outcome.message(wanted.describe()), "error" if outcome.refused else "success")
    return _back(incident.id)


# --- what the inbox and the case page show of a case's incident ---------------------------------


def _inbox_context(session: Session, case_ids: list[int], signed_in: SignedIn) -> dict[str, object]:
    found = queries.open_incidents_for_cases(session, case_ids)
    return {"incident_badges": {case_id: linked[0] for case_id, linked in found.items()}}


def _case_context(session: Session, case: Case, signed_in: SignedIn) -> dict[str, object]:
    return {"case_incidents": queries.open_incidents_for_cases(session, [case.id]).get(case.id, [])}


panels.register("inbox", "incidents", _inbox_context)
panels.register("case", "incidents", _case_context)
