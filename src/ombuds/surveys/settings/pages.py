"""The Surveys page: how the brand closes the loop (its reopen window and the wording of the survey
message); anyone of the brand reads it, managers and admins change it. Signed in, with CSRF."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRouter

from ombuds.accounts.models import Brand
from ombuds.errors import OmbudsError
from ombuds.fields import AsTyped, NoNul, WholeNumber
from ombuds.surveys import actions, queries
from ombuds.surveys.values import DEFAULT_MESSAGE, MESSAGE_MAX_CHARS, REOPEN_WINDOW_DAYS
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import flash, render

router = APIRouter()


@router.get("/surveys")
def settings_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    return render(
        request,
        "surveys/settings.html",
        {
            "reopen_window_days": brand.reopen_window_days,
            "survey_message": queries.get_survey_message(session, brand_id=brand.id),
            "default_message": DEFAULT_MESSAGE,
            "window": REOPEN_WINDOW_DAYS,
            "message_max": MESSAGE_MAX_CHARS,
            "may_change": signed_in.role in actions.SETTING_ROLES,
        },
        signed_in=signed_in,
    )


@router.post("/surveys")
def change_settings(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    reopen_window_days: Annotated[WholeNumber, Form()],
    survey_message: Annotated[str, AsTyped, Form(max_length=MESSAGE_MAX_CHARS * 2), NoNul] = "",
) -> Response:
    """Save both fields; an empty message goes back to the default wording."""
    back = RedirectResponse("/surveys", status_code=303)
    if signed_in.brand is None:
        return back
    brand = session.get(Brand, signed_in.brand.id)
    assert brand is not None
    try:
        actions.ensure_may_set_closing(session, brand_id=brand.id, user=signed_in.user)
        actions.set_closing_settings(
            session,
            brand=brand,
            actor_id=signed_in.user.id,
            reopen_window_days=reopen_window_days,
            survey_message=survey_message,
        )
    except OmbudsError as error:
        session.rollback()
        text = str(error)
        flash(request, text[:1].upper() + text[1:] + ".", "error")
        return back
    flash(
        request,
        f"Saved: a customer writing within {brand.reopen_window_days} days reopens their case.",
        "success",
    )
    return back
