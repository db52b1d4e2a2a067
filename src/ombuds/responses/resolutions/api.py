"""Resolutions over JSON: the brand's catalogue, resolutions on a case, and managers' decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.cases.queries import get_case
from ombuds.clock import utcnow
from ombuds.fields import Id
from ombuds.responses.resolutions import actions, queries
from ombuds.responses.resolutions.actions import Requester
from ombuds.responses.resolutions.models import CaseResolution
from ombuds.responses.resolutions.schemas import (
    CaseResolutionCreate,
    CaseResolutionRead,
    ResolutionDecision,
    ResolutionOptionCreate,
    ResolutionOptionRead,
    ResolutionOptionUpdate,
)
from ombuds.web.deps import ApiReader, ApiScope, DbSession

router = APIRouter(tags=["resolutions"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    404: {"description": "No such case, option or resolution among the brands the caller may see."},
}
_WRITE_ERRORS = _ERRORS | {
    403: {
        "description": "The caller's role does not allow it (a viewer; deciding takes a manager or admin)."
    },
    409: {"description": "The resolution was already decided."},
    422: {"description": "A field that cannot be used (an amount that is not money, a wrong currency)."},
}


def _requester(session: Session, scope: ApiScope, brand_id: int) -> Requester:
    """The signed-in person, or the token's person; a token made for nobody acts as an agent."""
    return actions.requester_for(
        session, user=scope.person(session), api_token_id=scope.token_id, brand_id=brand_id
    )


def _case(session: Session, case_id: int, scope: ApiScope) -> Case:
    case = get_case(session, case_id, brand_ids=scope.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    return case


def _resolution(session: Session, resolution_id: int, scope: ApiScope) -> CaseResolution:
    found = queries.get_resolution(session, resolution_id, brand_ids=scope.brand_ids)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no resolution {resolution_id}")
    return found


def _read(session: Session, resolution: CaseResolution) -> CaseResolutionRead:
    return queries.read_resolutions(session, [resolution])[0]


# --- the catalogue --------------------------------------------------------------------------------


@router.get("/resolution-options", response_model=list[ResolutionOptionRead], responses=_ERRORS)
def list_options(
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")] = None,
    include_inactive: Annotated[bool, Query(description="Also options no longer offered.")] = False,
) -> list[ResolutionOptionRead]:
    """The brand's catalogue: what may be given, in which currency, up to what amount per role."""
    chosen = scope.brand_by_slug(brand)
    found = queries.list_options(session, brand_id=chosen.id, include_inactive=include_inactive)
    return [ResolutionOptionRead.model_validate(option) for option in found]


@router.post(
    "/resolution-options",
    response_model=ResolutionOptionRead,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
)
def create_option(
    body: ResolutionOptionCreate,
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")] = None,
) -> ResolutionOptionRead:
    """Add an option to the catalogue (manager or admin)."""
    chosen = scope.brand_by_slug(brand)
    option = actions.save_option(
        session,
        brand_id=chosen.id,
        requester=_requester(session, scope, chosen.id),
        now=utcnow(),
        kind=body.kind,
        label=body.label,
        currency=body.currency,
        limits=body.limits,
        is_active=body.is_active,
    )
    return ResolutionOptionRead.model_validate(option)


@router.patch("/resolution-options/{option_id}", response_model=ResolutionOptionRead, responses=_WRITE_ERRORS)
def update_option(
    option_id: Id, body: ResolutionOptionUpdate, scope: ApiReader, session: DbSession
) -> ResolutionOptionRead:
    """Change an option's label, currency, limits, or whether it is offered (manager or admin)."""
    option = queries.get_option(session, option_id, brand_ids=scope.brand_ids)
    if option is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no resolution option {option_id}")
    actions.save_option(
        session,
        brand_id=option.brand_id,
        requester=_requester(session, scope, option.brand_id),
        now=utcnow(),
        option=option,
        label=body.label,
        currency=body.currency,
        limits=body.limits,
        is_active=body.is_active,
    )
    return ResolutionOptionRead.model_validate(option)


# --- on a case ------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/resolutions", response_model=list[CaseResolutionRead], responses=_ERRORS)
def list_case_resolutions(case_id: Id, scope: ApiReader, session: DbSession) -> list[CaseResolutionRead]:
    """The case's resolutions, oldest first, with their status."""
    return queries.list_case_resolutions(session, case=_case(session, case_id, scope))


@router.post(
    "/cases/{case_id}/resolutions",
    response_model=CaseResolutionRead,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
)
def request_resolution(
    case_id: Id, body: CaseResolutionCreate, scope: ApiReader, session: DbSession
) -> CaseResolutionRead:
    """Give a resolution: `applied` within the caller's limit, else `awaiting_approval` by a manager."""
    case = _case(session, case_id, scope)
    option = queries.get_option(session, body.option_id, brand_ids=[case.brand_id])
    if option is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"option_id: no option {body.option_id}")
    resolution = actions.request_resolution(
        session,
        case=case,
        option=option,
        amount=body.amount,
        currency=body.currency,
        reason=body.reason,
        requester=_requester(session, scope, case.brand_id),
        now=utcnow(),
    )
    return _read(session, resolution)


@router.get("/resolutions", response_model=list[CaseResolutionRead], responses=_ERRORS)
def list_awaiting(
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")] = None,
) -> list[CaseResolutionRead]:
    """The requests waiting for a manager, oldest first."""
    chosen = scope.brand_by_slug(brand)
    return [read for read, _ in queries.list_awaiting(session, brand_id=chosen.id)]


def _decide(
    resolution_id: int, body: ResolutionDecision, scope: ApiScope, session: Session, *, approve: bool
) -> CaseResolutionRead:
    resolution = _resolution(session, resolution_id, scope)
    actions.decide_resolution(
        session,
        resolution=resolution,
        approve=approve,
        note=body.note,
        requester=_requester(session, scope, resolution.brand_id),
        now=utcnow(),
    )
    return _read(session, resolution)


@router.post(
    "/resolutions/{resolution_id}/approve", response_model=CaseResolutionRead, responses=_WRITE_ERRORS
)
def approve(
    resolution_id: Id, body: ResolutionDecision, scope: ApiReader, session: DbSession
) -> CaseResolutionRead:
    """Approve a waiting request (manager within their limit, or admin): it is given."""
    return _decide(resolution_id, body, scope, session, approve=True)


@router.post(
    "/resolutions/{resolution_id}/decline", response_model=CaseResolutionRead, responses=_WRITE_ERRORS
)
def decline(
    resolution_id: Id, body: ResolutionDecision, scope: ApiReader, session: DbSession
) -> CaseResolutionRead:
    """Decline a waiting request with a note that the agent reads on the case."""
    return _decide(resolution_id, body, scope, session, approve=False)
