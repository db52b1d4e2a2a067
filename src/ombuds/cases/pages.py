"""The inbox of open cases and the page of one case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response

from ombuds.accounts.queries import list_teams
from ombuds.cases import queries
from ombuds.cases.models import OPEN_STATUSES
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import render

router = APIRouter()

PAGE_SIZE = 50
NO_TEAM = "none"


@router.get("/inbox")
def inbox(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    team: str | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Open cases of the selected brand; filters that do not apply are ignored, not errors."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    teams = list_teams(session, brand.id)
    team_id = next((t.id for t in teams if str(t.id) == team), None)
    chosen_status = next((s for s in OPEN_STATUSES if s.value == status_), None)
    cases = queries.list_open_cases(
        session,
        brand_id=brand.id,
        brand_slug=brand.slug,
        status=chosen_status,
        team_id=team_id,
        without_team=team == NO_TEAM,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    filters = {
        "team": str(team_id) if team_id is not None else (NO_TEAM if team == NO_TEAM else ""),
        "status": chosen_status.value if chosen_status else "",
    }
    context = {
        "cases": cases,
        "teams": teams,
        "filters": filters,
        "statuses": [s.value for s in OPEN_STATUSES],
        "page": page,
        "page_count": max(1, -(-cases.total // PAGE_SIZE)),
        "no_team": NO_TEAM,
    }
    # htmx refreshes only the list; a full load (or no htmx) gets the whole page.
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "inbox-list"
    template = "cases/_inbox_list.html" if partial else "cases/inbox.html"
    return render(request, template, context, signed_in=signed_in)


@router.get("/cases/{case_id}")
def case_page(case_id: int, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """One case: the customer, the facts, the messages in time order with their findings."""
    detail = queries.get_case_detail(session, case_id, brand_ids=signed_in.brand_ids)
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    brand = next(b for b in signed_in.brands if b.id == detail.brand_id)
    context = {"case": detail, "case_brand": brand, "closed": detail.status not in OPEN_STATUSES}
    return render(request, "cases/case.html", context, signed_in=signed_in)
