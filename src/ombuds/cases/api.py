"""Cases over JSON: a brand's open cases, one case with its messages and timeline, and the work on it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.cases import lifecycle, queries, timeline
from ombuds.cases.models import Case, CaseStatus
from ombuds.cases.schemas import (
    AssigneeUpdate,
    CaseDetailRead,
    CaseEventRead,
    CaseList,
    CaseMentionRead,
    MentionCorrection,
    NoteCreate,
    OpenStatus,
    PriorityUpdate,
    StatusUpdate,
    TeamUpdate,
)
from ombuds.cases.values import InboxSort
from ombuds.errors import InvalidInput
from ombuds.fields import Count, Id
from ombuds.mentions.models import Mention
from ombuds.web import panels
from ombuds.web.deps import ApiReader, ApiScope, DbSession

router = APIRouter(prefix="/cases", tags=["cases"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such case among the brands the caller may see."}
}
_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."}
}


@router.get("", response_model=CaseList, responses=_UNAUTHORIZED | _NOT_FOUND)
def list_cases(
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[
        str | None,
        Query(description="Slug of the brand to list; defaults to the token's brand or the selected one."),
    ] = None,
    status_: Annotated[OpenStatus | None, Query(alias="status", description="Only this open status.")] = None,
    team_id: Annotated[Id | None, Query(description="Only cases of this team.")] = None,
    assignee_id: Annotated[Id | None, Query(description="Only cases assigned to this user.")] = None,
    q: Annotated[
        str | None,
        Query(description="Only cases a search finds (the language of `GET /api/v1/search`)."),
    ] = None,
    sort: Annotated[
        InboxSort,
        Query(
            description="priority (urgent first, then oldest), age (oldest first), sla (next deadline "
            "first), reach (largest audience first); ties by case id, so pages are stable"
        ),
    ] = InboxSort.PRIORITY,
    limit: Annotated[Count, Query(ge=1, le=500)] = 50,
    offset: Annotated[Count, Query()] = 0,
) -> CaseList:
    """Open cases (new, open, pending) of one brand, by default priority first (1 = urgent), then oldest.

    With ``q``, the open cases a search finds, listed the same way; a query that cannot be
    searched answers 422 saying why.
    """
    chosen = scope.brand_by_slug(brand)
    masked = scope.masks_personal_data(session, brand_id=chosen.id)
    search = panels.case_search(mask_pii=masked) if q is not None else None
    only_case_ids = search(session, chosen.id, q) if search is not None and q is not None else None
    return queries.list_open_cases(
        session,
        mask_pii=masked,
        brand_id=chosen.id,
        brand_slug=chosen.slug,
        status=CaseStatus(status_) if status_ else None,
        team_id=team_id,
        assignee_id=assignee_id,
        only_case_ids=only_case_ids,
        sort=sort,
        limit=limit,
        offset=offset,
    )


@router.get("/{case_id}", response_model=CaseDetailRead, responses=_UNAUTHORIZED | _NOT_FOUND)
def get_case(case_id: Id, scope: ApiReader, session: DbSession, request: Request) -> CaseDetailRead:
    """One case with its customer, its messages in time order and what analysis found in them.

    ``survey_url`` is a full link on the address this request came to, ready to send the customer.
    """
    detail = _detail(session, _case(session, case_id, scope), scope)
    if detail.survey_url is not None:
        detail.survey_url = str(request.base_url).rstrip("/") + detail.survey_url
    return detail


# --- case work ------------------------------------------------------------------------------------

_WRITE_ERRORS: dict[int | str, dict[str, Any]] = (
    _UNAUTHORIZED
    | _NOT_FOUND
    | {
        403: {
            "description": "A viewer (read-only role), or a session request without its X-CSRF-Token header."
        },
        409: {"description": "The status cannot move that way; the detail says how it can."},
        422: {
            "description": "A field that cannot be used (unknown user or team, empty reason); the detail names it."
        },
    }
)


def _case(session: Session, case_id: Id, scope: ApiScope) -> Case:
    case = queries.get_case(session, case_id, brand_ids=scope.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    return case


def _detail(session: Session, case: Case, scope: ApiScope) -> CaseDetailRead:
    detail = queries.get_case_detail(
        session,
        case.id,
        brand_ids=scope.brand_ids,
        mask_pii=scope.masks_personal_data(session, brand_id=case.brand_id),
    )
    assert detail is not None  # found a moment ago in the same transaction
    extras = panels.case_detail_extras(session, case)  # its problem, drafts (packages above cases)
    return detail.model_copy(update=extras) if extras else detail


@router.get("/{case_id}/events", response_model=list[CaseEventRead], responses=_UNAUTHORIZED | _NOT_FOUND)
def list_events(case_id: Id, scope: ApiReader, session: DbSession) -> list[CaseEventRead]:
    """The case's timeline, oldest first: opened, routed (with reasons), answered, assigned, moved, notes."""
    return timeline.list_case_events(session, case=_case(session, case_id, scope))


@router.post("/{case_id}/assignee", response_model=CaseDetailRead, responses=_WRITE_ERRORS)
def assign(case_id: Id, body: AssigneeUpdate, scope: ApiReader, session: DbSession) -> CaseDetailRead:
    """Give the case to a person of its brand (not a viewer), or to nobody with `null`."""
    case = _case(session, case_id, scope)
    assignee = session.get(User, body.assignee_id) if body.assignee_id is not None else None
    if body.assignee_id is not None and assignee is None:
        raise InvalidInput(f"assignee_id: no user {body.assignee_id}")
    lifecycle.assign_case(session, case=case, assignee=assignee, actor=scope.actor(session))
    return _detail(session, case, scope)


@router.post("/{case_id}/team", response_model=CaseDetailRead, responses=_WRITE_ERRORS)
def move_to_team(case_id: Id, body: TeamUpdate, scope: ApiReader, session: DbSession) -> CaseDetailRead:
    """Move the case to another team of the same brand."""
    case = _case(session, case_id, scope)
    team = session.get(Team, body.team_id)
    if team is None:
        raise InvalidInput(f"team_id: no team {body.team_id} in this case's brand")
    lifecycle.move_case_to_team(session, case=case, team=team, actor=scope.actor(session))
    return _detail(session, case, scope)


@router.post("/{case_id}/status", response_model=CaseDetailRead, responses=_WRITE_ERRORS)
def set_status(case_id: Id, body: StatusUpdate, scope: ApiReader, session: DbSession) -> CaseDetailRead:
    """Move the case along new → open → pending → resolved → closed, or reopen it with `open`.

    Resolving sets `resolved_at`; closing an unresolved case resolves it first; reopening clears
    `resolved_at`. Asking for the status the case already has changes nothing. Pending is set with
    the date the case comes back: `POST /cases/{case_id}/pending` (here it is a 422).
    """
    case = _case(session, case_id, scope)
    lifecycle.change_status(
        session,
        case=case,
        status=body.status,
        note=body.note,
        actor=scope.actor(session),
        resolved_as=body.resolved_as,
    )
    return _detail(session, case, scope)


@router.post("/{case_id}/priority", response_model=CaseDetailRead, responses=_WRITE_ERRORS)
def set_priority(case_id: Id, body: PriorityUpdate, scope: ApiReader, session: DbSession) -> CaseDetailRead:
    """Set the priority (1 urgent … 4 low) with a reason that the timeline shows."""
    case = _case(session, case_id, scope)
    lifecycle.change_priority(
        session, case=case, priority=body.priority, reason=body.reason, actor=scope.actor(session)
    )
    return _detail(session, case, scope)


@router.post(
    "/{case_id}/notes",
    response_model=CaseEventRead,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
)
def add_note(case_id: Id, body: NoteCreate, scope: ApiReader, session: DbSession) -> CaseEventRead:
    """Add an internal note; colleagues see it in the timeline, the customer never does."""
    case = _case(session, case_id, scope)
    event = lifecycle.add_note(session, case=case, text=body.text, actor=scope.actor(session))
    return next(e for e in timeline.list_case_events(session, case=case) if e.id == event.id)


@router.post(
    "/{case_id}/mentions/{mention_id}/corrections",
    response_model=CaseMentionRead,
    responses=_WRITE_ERRORS,
)
def correct_analysis(
    case_id: Id, mention_id: Id, body: MentionCorrection, scope: ApiReader, session: DbSession
) -> CaseMentionRead:
    """Correct a message's sentiment, intent or category; the brand's models learn from it at once.

    Answers the message with its findings as they now stand (a corrected finding has
    `model_version` "correction").
    """
    case = _case(session, case_id, scope)
    mention = session.get(Mention, mention_id)
    if mention is None or mention.case_id != case.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no message {mention_id} in case {case_id}")
    labels = {name: label for name, label in body.model_dump().items() if label}
    lifecycle.correct_mention(session, case=case, mention=mention, labels=labels, actor=scope.actor(session))
    return next(m for m in _detail(session, case, scope).mentions if m.id == mention.id)
