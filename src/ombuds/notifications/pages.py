"""A person's notifications in the browser: the list, and marking them read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ombuds.clock import utcnow
from ombuds.notifications import actions, queries
from ombuds.notifications.grouping import grouped
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import render

router = APIRouter()


@router.get("/notifications")
def notifications_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """What the desk told the signed-in person: overdue tasks of their teams, breached cases."""
    found = queries.list_notifications(session, user_id=signed_in.user.id, brand_ids=signed_in.brand_ids)
    return render(request, "notifications/list.html", {"notifications": grouped(found)}, signed_in=signed_in)


@router.post("/notifications/read")
def mark_read(signed_in: CurrentUser, session: DbSession) -> Response:
    """Everything listed has been seen."""
    actions.mark_all_read(session, user_id=signed_in.user.id, brand_ids=signed_in.brand_ids, now=utcnow())
    return RedirectResponse("/notifications", status_code=303)
