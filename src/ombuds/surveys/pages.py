"""The public survey page: a customer follows the link, picks a score 1–5 and may add a comment.

No sign-in and no CSRF token: the unguessable token in the link is the whole credential, and
the page acts for no signed-in person (``web/app.py`` lists it among ``PUBLIC_ROUTERS``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.clock import as_utc, utcnow
from ombuds.surveys import actions, queries
from ombuds.surveys.models import Survey
from ombuds.surveys.values import (
    COMMENT_MAX_CHARS,
    SCORES,
    AnswerOutcome,
    comment_text,
    is_expired,
    parse_score,
)
from ombuds.web.deps import DbSession
from ombuds.web.templating import render

router = APIRouter()

Token = Annotated[str, Path(min_length=1, max_length=100)]

#: what the customer reads when nothing is recorded, and the status that goes with it
_REFUSALS = {
    AnswerOutcome.UNKNOWN: (
        404,
        "This survey link is not valid. Please check that you copied the whole link from our message.",
    ),
    AnswerOutcome.EXPIRED: (
        410,
        "This survey has closed: answers are taken for 14 days after we resolve a case.",
    ),
    AnswerOutcome.ALREADY_ANSWERED: (
        200,
        "You have already answered this survey, thank you. Your first answer stands; nothing was changed.",
    ),
    AnswerOutcome.INVALID: (422, "Please choose a score from 1 (poor) to 5 (great)."),
    AnswerOutcome.PAUSED: (
        409,
        "We are working on this again, so there is nothing to rate yet. We will ask you once it is resolved.",
    ),
    AnswerOutcome.TOO_LONG: (
        422,
        f"Your comment is longer than {COMMENT_MAX_CHARS:,} characters. Please shorten it and send again.",
    ),
}
#: Refusals that show the form again, with what the customer chose and wrote.
_TRY_AGAIN = frozenset({AnswerOutcome.INVALID, AnswerOutcome.TOO_LONG})


def _page(
    request: Request,
    session: Session,
    survey: Survey | None,
    *,
    message: str | None,
    status_code: int,
    form: bool,
    score: int | None = None,
    comment: str = "",
) -> Response:
    brand = session.get(Brand, survey.brand_id) if survey is not None else None
    context = {
        "brand_name": brand.name if brand is not None else "",
        "survey": survey,
        "first_name": survey.first_name if survey is not None else "",
        "subject": survey.subject if survey is not None else "",
        "scores": list(SCORES),
        "comment_max": COMMENT_MAX_CHARS,
        "message": message,
        "show_form": form,
        "chosen": score,
        "comment": comment,
    }
    return render(request, "surveys/survey.html", context, status_code=status_code)


@router.get("/survey/{token}")
def survey_form(request: Request, token: Token, session: DbSession) -> Response:
    survey = queries.get_survey_by_token(session, token)
    if survey is None:
        return _refusal(request, session, None, AnswerOutcome.UNKNOWN)
    if survey.answered_at is not None:
        return _refusal(request, session, survey, AnswerOutcome.ALREADY_ANSWERED)
    if is_expired(expires_at=as_utc(survey.expires_at), now=utcnow()):
        return _refusal(request, session, survey, AnswerOutcome.EXPIRED)
    if not actions.is_case_done(session, survey=survey):
        return _refusal(request, session, survey, AnswerOutcome.PAUSED)
    return _page(request, session, survey, message=None, status_code=200, form=True)


@router.post("/survey/{token}")
def answer(
    request: Request,
    token: Token,
    session: DbSession,
    # Bounds only against abuse: whatever a browser sends is judged by ``answer_survey``, so the
    # customer gets this page back with the reason and what they typed, never an error page.
    score: Annotated[str | None, Form(max_length=100)] = None,
    comment: Annotated[str | None, Form(max_length=COMMENT_MAX_CHARS * 4)] = None,
) -> Response:
    outcome = actions.answer_survey(session, token=token, score=score, comment=comment, now=utcnow())
    survey = queries.get_survey_by_token(session, token)
    if outcome is not AnswerOutcome.RECORDED:
        session.rollback()
        return _refusal(
            request, session, survey, outcome, score=parse_score(score), comment=comment_text(comment)
        )
    session.commit()
    return _page(
        request,
        session,
        survey,
        message="Thank you! Your answer has been recorded.",
        status_code=200,
        form=False,
    )


def _refusal(
    request: Request,
    session: Session,
    survey: Survey | None,
    outcome: AnswerOutcome,
    *,
    score: int | None = None,
    comment: str = "",
) -> Response:
    """Nothing was recorded: say why, and where the customer can try again, keep what they gave."""
    status_code, message = _REFUSALS[outcome]
    again = outcome in _TRY_AGAIN
    return _page(
        request,
        session,
        survey,
        message=message,
        status_code=status_code,
        form=again,
        score=score if again else None,
        comment=comment if again else "",
    )
