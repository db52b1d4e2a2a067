"""The inbox over JSON: one change to many cases, and saved views with their counts."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.accounts.queries import get_role
from ombuds.cases.workflow import may_see_personal_data
from ombuds.errors import Forbidden, InvalidInput
from ombuds.fields import Id
from ombuds.inbox import actions, counts, queries
from ombuds.inbox.bulk import BulkChange, apply_bulk
from ombuds.inbox.schemas import BulkRequest, BulkResult, SavedViewCreate, SavedViewRead
from ombuds.inbox.values import BulkAction
from ombuds.incidents.queries import get_incident
from ombuds.web import panels
from ombuds.web.deps import ApiReader, ApiScope, DbSession

router = APIRouter(prefix="/inbox", tags=["inbox"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {"description": "A viewer (read-only role), or a session request without its X-CSRF-Token header."},
    404: {"description": "A case, view or brand the caller cannot see; nothing was changed."},
    409: {"description": "A view of that name exists already."},
    422: {"description": "A field that cannot be used; the message names it."},
}
#: What the summary says was done, by action.
DONE = {
    BulkAction.ASSIGN: "assigned",
    BulkAction.TEAM: "moved",
    BulkAction.PRIORITY: "given the priority",
    BulkAction.RESOLVE: "resolved",
    BulkAction.INCIDENT: "linked to the incident",
}


def done_words(body: BulkRequest) -> str:
    """What the summary says was done: assigning to nobody is unassigning."""
    if body.action is BulkAction.ASSIGN and body.assignee_id is None:
        return "unassigned"
    return DONE[body.action]


def bulk_change(
    session: Session, body: BulkRequest, *, brand_id: int, brand_ids: Collection[int]
) -> BulkChange:
    """The change a request asks for, with the people, teams and incidents it names looked up in the brand."""
    assignee = session.get(User, body.assignee_id) if body.assignee_id is not None else None
    if body.assignee_id is not None and assignee is None:
        raise InvalidInput(f"assignee_id: no user {body.assignee_id}")
    team = session.get(Team, body.team_id) if body.team_id is not None else None
    if body.team_id is not None and (team is None or team.brand_id != brand_id):
        raise InvalidInput(f"team_id: no team {body.team_id} in this brand")
    incident = get_incident(session, body.incident_id, brand_ids=brand_ids) if body.incident_id else None
    if body.incident_id is not None and (incident is None or incident.brand_id != brand_id):
        raise InvalidInput(f"incident_id: no incident {body.incident_id} in this brand")
    if body.action is BulkAction.PRIORITY and body.priority is None:
        raise InvalidInput("priority: choose 1 (urgent) to 4 (low)")
    if body.action is BulkAction.TEAM and team is None:
        raise InvalidInput("team_id: choose a team")
    if body.action is BulkAction.INCIDENT and incident is None:
        raise InvalidInput("incident_id: choose an incident")
    return BulkChange(
        action=body.action,
        assignee=assignee,
        team=team,
        priority=body.priority,
        reason=body.reason,
        note=body.note,
        incident=incident,
    )


@router.post("/bulk", response_model=BulkResult, responses=_ERRORS)
def bulk(
    body: BulkRequest,
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[
        str | None, Query(description="Slug of the cases' brand; defaults to the caller's.")
    ] = None,
) -> BulkResult:
    """Assign, move, reprioritise, resolve or link to an incident many cases of one brand in one transaction.

    Every case gets its own events. A case of another brand refuses the whole request (404) and
    nothing changes; a case the change cannot apply to now (an open task) is listed in ``refused``.
    """
    chosen = scope.brand_by_slug(brand)
    change = bulk_change(session, body, brand_id=chosen.id, brand_ids=scope.brand_ids)
    outcome = apply_bulk(
        session, brand_id=chosen.id, case_ids=body.case_ids, change=change, actor=scope.actor(session)
    )
    return BulkResult(
        changed=outcome.changed,
        unchanged=outcome.unchanged,
        refused={str(case_id): why for case_id, why in outcome.refused.items()},
        summary=outcome.summary(done_words(body)),
    )


def _masks_pii(session: Session, person: User, *, brand_id: int) -> bool:
    return not may_see_personal_data(get_role(session, user=person, brand_id=brand_id))


def _person(session: Session, scope: ApiScope) -> User:
    person = scope.person(session)
    if person is None:
        raise Forbidden("saved views belong to people; this token acts for no one")
    return person


@router.get("/views", response_model=list[SavedViewRead], responses=_ERRORS)
def list_views(
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(description="Slug of the brand; defaults to the caller's.")] = None,
) -> list[SavedViewRead]:
    """The caller's own views and those shared with their teams, each with its open cases now."""
    chosen = scope.brand_by_slug(brand)
    person = _person(session, scope)
    return counts.view_reads(
        session,
        brand_id=chosen.id,
        brand_slug=chosen.slug,
        user=person,
        views=queries.list_views(session, brand_id=chosen.id, user=person),
        narrowed=panels.narrowed,
        search=panels.case_search(mask_pii=_masks_pii(session, person, brand_id=chosen.id)),
    )


@router.post("/views", response_model=SavedViewRead, status_code=status.HTTP_201_CREATED, responses=_ERRORS)
def create_view(
    body: SavedViewCreate,
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(description="Slug of the brand; defaults to the caller's.")] = None,
) -> SavedViewRead:
    """Save an inbox query under a name, for yourself or (``team_id``) for a team."""
    chosen = scope.brand_by_slug(brand)
    person = _person(session, scope)
    team = session.get(Team, body.team_id) if body.team_id is not None else None
    if body.team_id is not None and (team is None or team.brand_id != chosen.id):
        raise InvalidInput(f"team_id: no team {body.team_id} in this brand")
    view = actions.create_view(
        session, brand_id=chosen.id, user=person, name=body.name, query=body.query, team=team
    )
    [read] = counts.view_reads(
        session,
        brand_id=chosen.id,
        brand_slug=chosen.slug,
        user=person,
        views=[view],
        narrowed=panels.narrowed,
        search=panels.case_search(mask_pii=_masks_pii(session, person, brand_id=chosen.id)),
    )
    return read


@router.delete("/views/{view_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def delete_view(
    view_id: Id,
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(description="Slug of the brand; defaults to the caller's.")] = None,
) -> None:
    """Remove a view: your own, one you shared, or (managers, admins) any team's."""
    chosen = scope.brand_by_slug(brand)
    person = _person(session, scope)
    view = queries.get_view(session, view_id, brand_id=chosen.id, user=person)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no saved view {view_id}")
    actions.delete_view(session, view=view, user=person)
