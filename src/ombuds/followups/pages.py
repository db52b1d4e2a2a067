"""Follow-ups in the browser: the panel on the case page and its two forms."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import OPEN_STATUSES, Case
from ombuds.cases.queries import get_case
from ombuds.cases.workflow import may_work
from ombuds.errors import InvalidInput, OmbudsError
from ombuds.fields import Id, NoNul
from ombuds.followups import actions, queries
from ombuds.followups.values import WAITING_ON_WORDS, WaitingOn
from ombuds.timezones import moment_label
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash

router = APIRouter()


def case_panel(session: Session, case: Case, signed_in: SignedIn) -> dict[str, Any]:
    """The case's follow-ups, and which form fits its status: park it (open) or check in (resolved)."""
    return {
        "follow_ups": queries.list_case_follow_ups(session, case_id=case.id),
        "waiting_on_words": WAITING_ON_WORDS,
        "may_follow_up": may_work(signed_in.roles.get(case.brand_id)),
        "follow_up_form": "pending" if case.status in OPEN_STATUSES else "check_in",
    }


panels.register("case", "follow-ups", case_panel)


def _when(value: str, zone: str) -> datetime:
    """A date and time typed in the browser (``2026-12-03T09:00``), in the person's time zone."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"date: {value!r} is not a date and time") from None
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(zone.strip() or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"time zone: {zone!r} is not one we know") from None
    return moment


def _case_or_404(session: Session, case_id: int, signed_in: SignedIn) -> Case:
    case = get_case(session, case_id, brand_ids=signed_in.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return case


def _refused(request: Request, session: Session, error: OmbudsError) -> None:
    session.rollback()
    text = str(error)
    flash(request, text[:1].upper() + text[1:] + ".", "error")


def _shown(session: Session, signed_in: SignedIn, case: Case, moment: datetime) -> str:
    """A date as the case page shows it, on its brand's clock."""
    return moment_label(moment, timezone=signed_in.timezone_of(session, case.brand_id))


@router.post("/cases/{case_id}/pending")
def set_pending(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    until: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=500), NoNul] = "",
    zone: Annotated[str, Form(max_length=64)] = "UTC",
) -> Response:
    """Park the case until a date; it comes back to the top of its owner's inbox then."""
    case = _case_or_404(session, case_id, signed_in)
    back = RedirectResponse(f"/cases/{case.id}#follow-ups", status_code=303)
    try:
        waiting_on = WaitingOn(reason) if reason in set(WaitingOn) else None
        if waiting_on is None:
            raise InvalidInput("reason: choose what the case waits on")
        follow_up = actions.set_pending_until(
            session,
            case=case,
            until=_when(until, zone),
            waiting_on=waiting_on,
            note=note,
            actor=Actor(signed_in.user),
        )
    except OmbudsError as error:
        _refused(request, session, error)
        return back
    flash(
        request,
        f"Pending until {_shown(session, signed_in, case, follow_up.due_at)}, {WAITING_ON_WORDS[waiting_on]}.",
        "success",
    )
    return back


@router.post("/cases/{case_id}/check-ins")
def plan_check_in(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    at: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=500), NoNul] = "",
    zone: Annotated[str, Form(max_length=64)] = "UTC",
) -> Response:
    """Plan a check-in on a resolved case; it reopens on that date as a reminder."""
    case = _case_or_404(session, case_id, signed_in)
    back = RedirectResponse(f"/cases/{case.id}#follow-ups", status_code=303)
    try:
        follow_up = actions.schedule_check_in(
            session, case=case, at=_when(at, zone), note=note, actor=Actor(signed_in.user)
        )
    except OmbudsError as error:
        _refused(request, session, error)
        return back
    flash(request, f"Check-in planned for {_shown(session, signed_in, case, follow_up.due_at)}.", "success")
    return back
