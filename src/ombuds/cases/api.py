"""JSON reads of cases: a brand's open cases, and one case with its messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from ombuds.cases import queries
from ombuds.cases.models import CaseStatus
from ombuds.cases.schemas import CaseDetailRead, CaseList, OpenStatus
from ombuds.web.deps import ApiReader, DbSession

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
    team_id: Annotated[int | None, Query(description="Only cases of this team.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CaseList:
    """Open cases (new, open, pending) of one brand: priority first (1 = urgent), then oldest first."""
    chosen = scope.brand_by_slug(brand)
    return queries.list_open_cases(
        session,
        brand_id=chosen.id,
        brand_slug=chosen.slug,
        status=CaseStatus(status_) if status_ else None,
        team_id=team_id,
        limit=limit,
        offset=offset,
    )


@router.get("/{case_id}", response_model=CaseDetailRead, responses=_UNAUTHORIZED | _NOT_FOUND)
def get_case(case_id: int, scope: ApiReader, session: DbSession) -> CaseDetailRead:
    """One case with its customer, its messages in time order and what analysis found in them."""
    detail = queries.get_case_detail(session, case_id, brand_ids=scope.brand_ids)
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    return detail
