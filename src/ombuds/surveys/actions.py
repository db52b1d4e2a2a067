"""The only writers of surveys; callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from ombuds.clock import as_utc
from ombuds.event_payloads import SurveyAnswered
from ombuds.events import record_event
from ombuds.surveys.models import Survey
from ombuds.surveys.queries import get_case_survey, get_survey_by_token
from ombuds.surveys.values import (
    COMMENT_MAX_CHARS,
    VALID_FOR,
    AnswerOutcome,
    first_name,
    is_expired,
    new_token,
    parse_score,
)


def offer_survey(
    session: Session, *, brand_id: int, case_id: int, subject: str, customer_name: str, at: datetime
) -> Survey:
    """The case's survey, valid 14 days from ``at``.

    A case resolved again after a reopen keeps its link; an unanswered one gets 14 more days and
    is sent again, since the customer is asked again about the same problem. The runner sends
    the link (``responses.survey_links``).
    """
    survey = get_case_survey(session, case_id=case_id, brand_id=brand_id)
    if survey is None:
        survey = Survey(
            brand_id=brand_id,
            case_id=case_id,
            token=new_token(),
            subject=subject,
            first_name=first_name(customer_name),
            offered_at=at,
            expires_at=at + VALID_FOR,
        )
        session.add(survey)
    elif survey.answered_at is None:
        survey.offered_at = at
        survey.expires_at = at + VALID_FOR
        survey.delivery = None  # reopened and resolved again: the customer is asked again, once
        survey.reply_id = None
    session.flush()
    return survey


def answer_survey(
    session: Session, *, token: str, score: str | None, comment: str | None, now: datetime
) -> AnswerOutcome:
    """Record the customer's answer once; every other case says why nothing was recorded."""
    survey = get_survey_by_token(session, token)
    if survey is None:
        return AnswerOutcome.UNKNOWN
    if survey.answered_at is not None:
        return AnswerOutcome.ALREADY_ANSWERED
    if is_expired(expires_at=as_utc(survey.expires_at), now=now):
        return AnswerOutcome.EXPIRED
    chosen = parse_score(score)
    text = (comment or "").strip()
    if chosen is None or len(text) > COMMENT_MAX_CHARS:
        return AnswerOutcome.INVALID
    # only the first of two answers sent at once wins: the row is claimed while still unanswered
    claimed = session.execute(
        update(Survey)
        .where(Survey.id == survey.id, Survey.answered_at.is_(None))
        .values(score=chosen, comment=text or None, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return AnswerOutcome.ALREADY_ANSWERED
    session.refresh(survey)
    record_event(
        session,
        brand_id=survey.brand_id,
        subject_type="case",
        subject_id=survey.case_id,
        payload=SurveyAnswered(score=chosen, comment=text or None),
        occurred_at=now,
    )
    return AnswerOutcome.RECORDED
