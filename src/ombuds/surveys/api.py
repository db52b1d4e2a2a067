"""How a brand closes the loop, over JSON: GET/PUT /api/v1/closing-settings.

Reading: anyone of the brand; writing: managers and admins (a token acting for one of them).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ombuds.accounts.models import Brand
from ombuds.surveys import actions, queries
from ombuds.surveys.schemas import ClosingSettingsRead, ClosingSettingsWrite
from ombuds.surveys.values import DEFAULT_MESSAGE
from ombuds.web.deps import ApiReader, DbSession

router = APIRouter(tags=["surveys"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {"description": "Writing takes the manager or admin role."},
    404: {"description": "No such brand visible to the caller."},
    422: {"description": "A field is wrong (a window outside 1–90 days, wording without {survey_url})."},
}

SettingsBrand = Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")]


def read_settings(session: DbSession, brand: Brand) -> ClosingSettingsRead:
    return ClosingSettingsRead(
        reopen_window_days=brand.reopen_window_days,
        survey_message=queries.get_survey_message(session, brand_id=brand.id),
        default_survey_message=DEFAULT_MESSAGE,
    )


@router.get("/closing-settings", response_model=ClosingSettingsRead, responses=_ERRORS)
def get_closing_settings(
    scope: ApiReader, session: DbSession, brand: SettingsBrand = None
) -> ClosingSettingsRead:
    """The brand's reopen window and the wording of its survey message."""
    return read_settings(session, scope.brand_by_slug(brand))


@router.put("/closing-settings", response_model=ClosingSettingsRead, responses=_ERRORS)
def put_closing_settings(
    body: ClosingSettingsWrite, scope: ApiReader, session: DbSession, brand: SettingsBrand = None
) -> ClosingSettingsRead:
    """Change the reopen window (1–90 days) and/or the survey message; what is left out stays."""
    found = session.get(Brand, scope.brand_by_slug(brand).id)  # this request's own copy, to write
    assert found is not None
    person = scope.person(session)
    actions.ensure_may_set_closing(session, brand_id=found.id, user=person)
    actions.set_closing_settings(
        session,
        brand=found,
        actor_id=person.id if person is not None else None,
        reopen_window_days=body.reopen_window_days,
        survey_message=body.survey_message
        if "survey_message" in body.model_fields_set
        else actions.Keep.KEEP,
    )
    return read_settings(session, found)
