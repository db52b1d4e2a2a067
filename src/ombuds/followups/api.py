"""Follow-ups over JSON: park a case until a date, plan a check-in after it was resolved, list them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy.orm import Session

from ombuds.cases import queries as case_queries
from ombuds.cases.models import Case
from ombuds.fields import Id
from ombuds.followups import actions, queries
from ombuds.followups.schemas import CheckInCreate, FollowUpRead, PendingCreate
from ombuds.web.deps import ApiReader, ApiScope, DbSession

router = APIRouter(prefix="/cases", tags=["follow-ups"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {"description": "A viewer (read-only role), or a session request without its X-CSRF-Token header."},
    404: {"description": "No such case among the brands the caller may see."},
    409: {"description": "The case's status does not fit: park open cases, check in on resolved ones."},
    422: {
        "description": "A date that is past, naive or over a year ahead, or an empty note; the detail says which."
    },
}


def _case(session: Session, case_id: int, scope: ApiScope) -> Case:
    case = case_queries.get_case(session, case_id, brand_ids=scope.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    return case


@router.post("/{case_id}/pending", status_code=201, response_model=FollowUpRead, responses=_ERRORS)
def set_pending(case_id: Id, body: PendingCreate, scope: ApiReader, session: DbSession) -> FollowUpRead:
    """Park the case until a date (waiting on the customer, another team or a refund).

    The case is pending now; on that date it opens again and tops the inbox sorted by priority.
    """
    follow_up = actions.set_pending_until(
        session,
        case=_case(session, case_id, scope),
        until=body.until,
        waiting_on=body.reason,
        note=body.note,
        actor=scope.actor(session),
    )
    return FollowUpRead.model_validate(follow_up)


@router.post("/{case_id}/check-ins", status_code=201, response_model=FollowUpRead, responses=_ERRORS)
def plan_check_in(case_id: Id, body: CheckInCreate, scope: ApiReader, session: DbSession) -> FollowUpRead:
    """Plan a check-in on a resolved case: on that date it reopens, with the note, as a reminder."""
    follow_up = actions.schedule_check_in(
        session, case=_case(session, case_id, scope), at=body.at, note=body.note, actor=scope.actor(session)
    )
    return FollowUpRead.model_validate(follow_up)


@router.get("/{case_id}/follow-ups", response_model=list[FollowUpRead], responses=_ERRORS)
def list_follow_ups(case_id: Id, scope: ApiReader, session: DbSession) -> list[FollowUpRead]:
    """The case's follow-ups: those still waiting (next due first), then those done."""
    case = _case(session, case_id, scope)
    return [FollowUpRead.model_validate(f) for f in queries.list_case_follow_ups(session, case_id=case.id)]
