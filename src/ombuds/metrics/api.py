"""Care outcomes over JSON: GET /api/v1/metrics/outcomes. Any member of the brand may read them,
viewers too: they carry no customer's words."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from ombuds.accounts.models import Team
from ombuds.metrics import queries
from ombuds.metrics.periods import PeriodError, parse_period
from ombuds.metrics.schemas import OutcomesRead
from ombuds.web.deps import ApiReader, DbSession

router = APIRouter(prefix="/metrics", tags=["metrics"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "from, to or team_id cannot be used; the message names the field."},
    401: {"description": "Neither a bearer token nor a signed-in session."},
    404: {"description": "No such brand visible to the caller."},
}


def bad_request(message: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, message)


def read_scope(
    session: DbSession,
    *,
    brand_id: int,
    start: str | None,
    end: str | None,
    team_id: str | None,
    channel: str | None = None,
) -> queries.Scope:
    """The brand's cases a request asks about; 400 naming the field it cannot use."""
    try:
        begins, ends = parse_period(start, end)
    except PeriodError as error:
        raise bad_request(str(error)) from None
    team = None
    if team_id is not None and team_id.strip():
        found = (
            session.get(Team, int(team_id))
            if team_id.strip().isdecimal() and len(team_id.strip()) < 19
            else None
        )
        if found is None or found.brand_id != brand_id:
            raise bad_request(f"team_id: no team {team_id[:20]!r} in this brand")
        team = found.id
    return queries.Scope(brand_id=brand_id, start=begins, end=ends, team_id=team, channel=channel or None)


@router.get("/outcomes", response_model=OutcomesRead, responses=_ERRORS)
def get_outcomes(
    scope: ApiReader,
    session: DbSession,
    start: Annotated[
        str | None, Query(alias="from", description="ISO date or time; a date is its whole day")
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", description="ISO date or time, exclusive; a date includes the day")
    ] = None,
    team_id: Annotated[str | None, Query(description="only the cases this team holds")] = None,
    brand: Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")] = None,
) -> OutcomesRead:
    """Resolution, first-contact resolution, reopens, handoffs, response and resolution times (business
    time), SLA attainment, CSAT and experience debt of the cases resolved in the period (docs/metrics.md)."""
    chosen = scope.brand_by_slug(brand)
    cases = read_scope(session, brand_id=chosen.id, start=start, end=end, team_id=team_id)
    return OutcomesRead.of(queries.outcomes(session, cases))
