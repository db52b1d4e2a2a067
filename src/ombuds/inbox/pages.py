"""The inbox's forms above single cases: bulk changes, saved views, and the "N new cases" notice.

The inbox page itself is ``cases.pages.inbox``; what it shows from here (views with counts, the
bulk bar's choices, the sort control) comes through ``web.panels``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.accounts.queries import list_teams
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import OPEN_STATUSES, Case, Priority
from ombuds.cases.queries import list_case_workers
from ombuds.cases.values import INBOX_SORT_LABELS
from ombuds.cases.workflow import may_see_personal_data, may_work
from ombuds.errors import Conflict, Forbidden, InvalidInput, NotFound, OmbudsError
from ombuds.fields import Id, NoNul, WholeNumber, parse_id
from ombuds.inbox import actions, counts, queries
from ombuds.inbox.api import bulk_change, done_words
from ombuds.inbox.bulk import MAX_CASES, apply_bulk
from ombuds.inbox.schemas import BulkRequest
from ombuds.inbox.values import ME, NOBODY, QUERY_MAX_CHARS, BulkAction, clean_query, parse_filter
from ombuds.incidents.queries import list_incidents
from ombuds.routing.assignment_queries import teams_of
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash

router = APIRouter()


def _back(query: str) -> RedirectResponse:
    """Back to the inbox as it was (its filters, sort and page), never to another site."""
    kept = clean_query(query)
    page = parse_id(dict(_pairs(query)).get("page", "")) if query else None
    if page is not None and page > 1:
        kept = f"{kept}&page={page}" if kept else f"page={page}"
    return RedirectResponse(f"/inbox?{kept}" if kept else "/inbox", status_code=303)


def _pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query.split("?", 1)[-1])


def _said(error: OmbudsError) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@router.post("/inbox/bulk")
def bulk(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    action: Annotated[str, Form(max_length=20)],
    case_ids: Annotated[list[str], Form(max_length=MAX_CASES)] = [],  # noqa: B006 (FastAPI reads it, never mutates)
    assignee: Annotated[str, Form(max_length=20)] = "",
    team_id: Annotated[str, Form(max_length=20)] = "",
    priority: Annotated[str, Form(max_length=4)] = "",
    note: Annotated[str, Form(max_length=5000), NoNul] = "",
    incident_id: Annotated[str, Form(max_length=20)] = "",
    back: Annotated[str, Form(max_length=QUERY_MAX_CHARS)] = "",
) -> Response:
    """The inbox's bulk bar: the checked cases of the selected brand, one change, one transaction."""
    brand = signed_in.brand
    if brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    try:
        chosen = next((a for a in BulkAction if a.value == action), None)
        if chosen is None:
            raise InvalidInput(f"action: {action!r} is not one of {', '.join(a.value for a in BulkAction)}")
        ids = [parse_id(value) for value in case_ids]
        if not ids:
            raise InvalidInput("no cases were chosen: tick the boxes beside the cases first")
        if None in ids:
            raise InvalidInput("case_ids: a case number must be a whole number like 308")
        who = (
            signed_in.user.id
            if assignee == ME
            else (None if assignee in ("", NOBODY) else parse_id(assignee))
        )
        if assignee not in ("", NOBODY, ME) and who is None:
            raise InvalidInput(f"assignee: no person {assignee!r}")
        body = BulkRequest(
            case_ids=[case_id for case_id in ids if case_id is not None],
            action=chosen,
            assignee_id=who,
            team_id=parse_id(team_id) if team_id else None,
            # isascii: "²".isdigit() is true, yet int("²") fails
            priority=int(priority)
            if priority.isascii() and priority.isdigit() and 1 <= int(priority) <= 4
            else None,
            reason="changed with other cases in the inbox",
            note=note.strip(),
            incident_id=parse_id(incident_id) if incident_id else None,
        )
        change = bulk_change(session, body, brand_id=brand.id, brand_ids=signed_in.brand_ids)
        outcome = apply_bulk(
            session, brand_id=brand.id, case_ids=body.case_ids, change=change, actor=Actor(signed_in.user)
        )
    except (InvalidInput, Conflict, Forbidden, NotFound) as error:
        session.rollback()
        flash(request, _said(error), "error")
        return _back(back)
    flash(request, outcome.summary(done_words(body)), "success" if outcome.changed else "info")
    return _back(back)


@router.post("/inbox/views")
def save_view(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    name: Annotated[str, Form(max_length=200), NoNul] = "",
    query: Annotated[str, Form(max_length=QUERY_MAX_CHARS), NoNul] = "",
    share_with: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Save what the inbox shows now (its filters and sort) under a name, for me or for a team."""
    brand = signed_in.brand
    if brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    try:
        team = None
        if share_with:
            team_id = parse_id(share_with)
            team = session.get(Team, team_id) if team_id is not None else None
            if team is None or team.brand_id != brand.id:
                raise InvalidInput(f"team: no team {share_with!r} in this brand")
        view = actions.create_view(
            session, brand_id=brand.id, user=signed_in.user, name=name, query=query, team=team
        )
    except (InvalidInput, Conflict, Forbidden, NotFound) as error:
        session.rollback()
        flash(request, _said(error), "error")
        return _back(query)
    flash(request, f"Saved the view “{view.name}”" + (f" for {team.name}." if team else "."), "success")
    return RedirectResponse(
        f"/inbox?{view.query}&view={view.id}" if view.query else f"/inbox?view={view.id}", 303
    )


@router.post("/inbox/views/{view_id}/delete")
def delete_view(view_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """Remove a saved view."""
    brand = signed_in.brand
    view = queries.get_view(session, view_id, brand_id=brand.id, user=signed_in.user) if brand else None
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    try:
        actions.delete_view(session, view=view, user=signed_in.user)
    except Forbidden as error:
        session.rollback()
        flash(request, _said(error), "error")
        return _back("")
    flash(request, f"Removed the view “{view.name}”.", "success")
    return _back("")


@router.get("/inbox/news")
def news(
    signed_in: CurrentUser,
    session: DbSession,
    after: Annotated[WholeNumber, Query(ge=0, le=2**31 - 1)] = 0,
    team: Annotated[str, Query(max_length=20)] = "",
    status_: Annotated[str, Query(alias="status", max_length=20)] = "",
    assignee: Annotated[str, Query(max_length=20)] = "",
    priority: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """How many open cases came in since the inbox was loaded (ids above ``after``), as a notice.

    The inbox polls this instead of replacing its list, so focus, selection and scroll stay put;
    the agent applies the news by following the notice's link.
    """
    brand = signed_in.brand
    if brand is None or after == 0:
        return HTMLResponse("")
    flt = parse_filter(
        urlencode({"team": team, "status": status_, "assignee": assignee, "priority": priority})
    )
    conditions = [Case.brand_id == brand.id, Case.status.in_(OPEN_STATUSES), Case.id > after]
    if flt.status is not None:
        conditions.append(Case.status == flt.status)
    if flt.without_team:
        conditions.append(Case.team_id.is_(None))
    elif flt.team_id is not None:
        conditions.append(Case.team_id == flt.team_id)
    if flt.assignee_me:
        conditions.append(Case.assignee_id == signed_in.user.id)
    elif flt.without_assignee:
        conditions.append(Case.assignee_id.is_(None))
    if flt.priority is not None:
        conditions.append(Case.priority == int(flt.priority))
    fresh = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
    if not fresh:
        return HTMLResponse("")
    label = "1 new case" if fresh == 1 else f"{fresh} new cases"
    return HTMLResponse(
        f'<a class="btn btn-small news-link" href="" data-testid="inbox-news" data-apply-news>{label}: show them</a>'
    )


def _inbox_context(session: Session, case_ids: list[int], signed_in: SignedIn) -> Mapping[str, Any]:
    """What the inbox shows from here: saved views with counts, the bulk bar's choices, the sort."""
    brand = signed_in.brand
    if brand is None:
        return {}
    views = counts.view_reads(
        session,
        brand_id=brand.id,
        brand_slug=brand.slug,
        user=signed_in.user,
        views=queries.list_views(session, brand_id=brand.id, user=signed_in.user),
        narrowed=panels.narrowed,
        search=panels.case_search(mask_pii=not may_see_personal_data(signed_in.role)),
    )
    can_work = may_work(signed_in.role)
    return {
        "saved_views": views,
        "sort_choices": [(sort.value, label) for sort, label in INBOX_SORT_LABELS.items()],
        "priority_choices": [(int(p), p.name.lower()) for p in Priority],
        "can_bulk": can_work,
        "bulk_workers": list_case_workers(session, brand_id=brand.id) if can_work else [],
        "bulk_teams": list_teams(session, brand.id) if can_work else [],
        "bulk_incidents": list_incidents(session, brand_ids=[brand.id], limit=20) if can_work else [],
        # who a view may be shared with: the teams one is in; managers and admins any of the brand's
        "share_teams": list_teams(session, brand.id)
        if signed_in.role in actions.TEAM_LEADS
        else [
            t
            for t in teams_of(session, brand_id=brand.id, user_id=signed_in.user.id)
            if t.archived_at is None
        ],
        # the "N new cases" notice counts cases opened after this one
        "newest_case_id": session.scalar(select(func.max(Case.id)).where(Case.brand_id == brand.id)) or 0,
    }


panels.register("inbox", "inbox_tools", _inbox_context)
