"""Preflight pages: PR checks a draft claim against customers' messages, saves it as a draft, care
leads comment on it from their team page, and PR registers it as a promise.

Listed in ``web/app.py`` before ``promises.pages``, whose ``/promises/{promise_id}`` would
otherwise take ``/promises/preflight`` for a promise id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, Role
from ombuds.errors import OmbudsError
from ombuds.fields import AsTyped, Id, Text, WholeNumber
from ombuds.promises import queries
from ombuds.promises.charts import trend_chart
from ombuds.promises.drafts import actions as draft_actions
from ombuds.promises.models import PromiseDraft
from ombuds.promises.preflight import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    Preflight,
    PreflightVoice,
    from_data,
    preflight,
)
from ombuds.slugs import slugify
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash, render

router = APIRouter()

#: Who may check and register claims: those who write the brand's promises.
CHECKERS = (Role.ADMIN, Role.MANAGER, Role.PR)
#: Who may comment on a draft: everyone who works cases (care leads above all).
COMMENTERS = (Role.ADMIN, Role.MANAGER, Role.PR, Role.AGENT)
#: Fewer matches than this and the page suggests writing the claim as a checkable sentence.
FEW_MATCHES = 5


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _brand(signed_in: SignedIn) -> Brand:
    if signed_in.brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No brand selected.")
    return signed_in.brand


def _checker(signed_in: SignedIn) -> Brand:
    brand = _brand(signed_in)
    if signed_in.role not in CHECKERS:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Checking draft claims takes the PR, manager or admin role."
        )
    return brand


def _draft(session: Session, brand: Brand, draft_id: int) -> PromiseDraft:
    found = queries.get_draft(session, brand.id, draft_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such draft claim.")
    return found


def _result(session: Session, brand: Brand, found: Preflight) -> dict[str, Any]:
    """What the result section shows: figures, the chart, and the voices with their messages."""
    mentions = queries.get_mentions(
        session, brand.id, [voice.mention_id for voice in found.contradicting + found.confirming]
    )

    def shown(voices: list[PreflightVoice]) -> list[dict[str, Any]]:
        return [
            {"voice": voice, "evidence": mention.text[voice.start : voice.end] or mention.text}
            for voice in voices
            if (mention := mentions.get(voice.mention_id)) is not None
        ]

    return {
        "found": found,
        "chart": trend_chart(found.trend, width=480, height=140),
        "contradicting": shown(found.contradicting),
        "confirming": shown(found.confirming),
        "few": found.matches < FEW_MATCHES,
    }


def _page(
    request: Request,
    session: Session,
    signed_in: SignedIn,
    *,
    text: str = "",
    weeks: int = DEFAULT_WEEKS,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> Response:
    brand = _brand(signed_in)
    drafts = queries.list_drafts(session, brand.id)
    return render(
        request,
        "promises/preflight.html",
        {
            "text": text,
            "weeks": weeks,
            "max_weeks": MAX_WEEKS,
            "result": result,
            "error": error,
            "drafts": drafts,
            "comments": queries.comment_counts(session, [draft.id for draft in drafts]),
            "can_check": signed_in.role in CHECKERS,
            "percent": _percent,
        },
        signed_in=signed_in,
        status_code=status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK,
    )


@router.get("/promises/preflight")
def preflight_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """The form to check a draft claim, and the drafts saved for care's comments."""
    if signed_in.brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    return _page(request, session, signed_in)


@router.post("/promises/preflight")
def check_claim(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    text: Annotated[Text, AsTyped, Form(max_length=2000)] = "",
    weeks: Annotated[WholeNumber, Form(ge=1, le=MAX_WEEKS)] = DEFAULT_WEEKS,
) -> Response:
    """Check the claim and show the result; nothing is saved."""
    brand = _checker(signed_in)
    try:
        found = preflight(session, brand_id=brand.id, text=text, weeks=weeks)
    except OmbudsError as error:
        return _page(request, session, signed_in, text=text, weeks=weeks, error=str(error))
    return _page(
        request, session, signed_in, text=found.text, weeks=weeks, result=_result(session, brand, found)
    )


@router.post("/promises/preflight/drafts")
def save_draft(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    text: Annotated[Text, AsTyped, Form(max_length=2000)] = "",
    weeks: Annotated[WholeNumber, Form(ge=1, le=MAX_WEEKS)] = DEFAULT_WEEKS,
) -> Response:
    """Check the claim again and keep it as a draft that care leads can comment on."""
    brand = _checker(signed_in)
    try:
        found = preflight(session, brand_id=brand.id, text=text, weeks=weeks)
        draft = draft_actions.save_draft(session, brand=brand, found=found, actor=signed_in.user)
    except OmbudsError as error:
        session.rollback()
        return _page(request, session, signed_in, text=text, weeks=weeks, error=str(error))
    flash(request, "Draft saved: care leads see it on their team page and can comment.", "success")
    return RedirectResponse(f"/promises/preflight/drafts/{draft.id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/promises/preflight/drafts/{draft_id}")
def draft_page(request: Request, draft_id: Id, signed_in: CurrentUser, session: DbSession) -> Response:
    """A draft claim: its last preflight, the contradicting voices, care's comments."""
    brand = _brand(signed_in)
    draft = _draft(session, brand, draft_id)
    return render(
        request,
        "promises/draft.html",
        {
            "draft": draft,
            "result": _result(session, brand, from_data(draft.text, draft.weeks, draft.result)),
            "comments": queries.list_draft_comments(session, draft.id),
            "can_check": signed_in.role in CHECKERS,
            "can_comment": signed_in.role in COMMENTERS and draft.promise_id is None,
            "percent": _percent,
        },
        signed_in=signed_in,
    )


def _back(draft: PromiseDraft) -> RedirectResponse:
    return RedirectResponse(f"/promises/preflight/drafts/{draft.id}", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/promises/preflight/drafts/{draft_id}/comments")
def comment(
    request: Request,
    draft_id: Id,
    signed_in: CurrentUser,
    session: DbSession,
    text: Annotated[Text, AsTyped, Form(max_length=draft_actions.COMMENT_LIMIT)] = "",
) -> Response:
    """Care's word on the claim before it is registered."""
    brand = _brand(signed_in)
    draft = _draft(session, brand, draft_id)
    if signed_in.role not in COMMENTERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Commenting on drafts takes the agent role or above.")
    try:
        draft_actions.comment_on_draft(session, draft=draft, actor=signed_in.user, text=text)
    except OmbudsError as error:
        session.rollback()
        flash(request, str(error), "error")
    else:
        flash(request, "Comment added.", "success")
    return _back(draft)


@router.post("/promises/preflight/drafts/{draft_id}/check")
def check_again(request: Request, draft_id: Id, signed_in: CurrentUser, session: DbSession) -> Response:
    """Check the draft again against the weeks up to now."""
    brand = _checker(signed_in)
    draft = _draft(session, brand, draft_id)
    found = preflight(session, brand_id=brand.id, text=draft.text, weeks=draft.weeks)
    draft_actions.store_preflight(session, draft=draft, found=found)
    flash(request, "Checked again against the latest messages.", "success")
    return _back(draft)


@router.post("/promises/preflight/drafts/{draft_id}/register")
def register(
    request: Request,
    draft_id: Id,
    signed_in: CurrentUser,
    session: DbSession,
    key: Annotated[Text, Form(max_length=100)] = "",
) -> Response:
    """Register the draft as a promise; the pipeline matches new mentions to it from then on."""
    brand = _checker(signed_in)
    draft = _draft(session, brand, draft_id)
    try:
        promise = draft_actions.register_draft(
            session,
            draft=draft,
            brand=brand,
            key=key.strip() or slugify(draft.text, fallback="promise"),
            actor=signed_in.user,
        )
    except OmbudsError as error:
        session.rollback()
        flash(request, str(error), "error")
        return _back(draft)
    flash(request, "Promise registered: new mentions are matched to it from now on.", "success")
    return RedirectResponse(f"/promises/{promise.id}", status_code=status.HTTP_303_SEE_OTHER)
