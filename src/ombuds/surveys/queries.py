"""Reads of surveys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.surveys.models import Survey, SurveySetting


def get_survey_by_token(session: Session, token: str) -> Survey | None:
    """The survey behind a link; the token is the whole credential, so nothing else narrows it."""
    return session.scalar(select(Survey).where(Survey.token == token))


def get_case_survey(session: Session, *, case_id: int, brand_id: int) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.case_id == case_id, Survey.brand_id == brand_id))


def get_survey_message(session: Session, *, brand_id: int) -> str | None:
    """The brand's own wording of the survey message; None: the default (``values.DEFAULT_MESSAGE``)."""
    return session.scalar(select(SurveySetting.message).where(SurveySetting.brand_id == brand_id))
