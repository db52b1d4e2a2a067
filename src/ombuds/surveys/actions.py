"""The only writers of surveys; callers own the transaction."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Literal

from sqlalchemy import Insert, column, select, table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, User
from ombuds.accounts.queries import get_role
from ombuds.accounts.values import Role
from ombuds.clock import as_utc
from ombuds.errors import Forbidden, InvalidInput
from ombuds.event_payloads import EventKind, SurveyAnswered
from ombuds.events import record_event
from ombuds.surveys.models import Survey, SurveySetting
from ombuds.surveys.queries import get_case_survey, get_survey_by_token
from ombuds.surveys.values import (
    COMMENT_MAX_CHARS,
    VALID_FOR,
    AnswerOutcome,
    SurveyDelivery,
    check_message,
    check_reopen_window,
    comment_text,
    first_name,
    is_expired,
    new_token,
    parse_score,
)

SETTING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


class Keep(Enum):
    """``survey_message`` left out of a change: the brand keeps what it has."""

    KEEP = "keep"


def offer_survey(
    session: Session, *, brand_id: int, case_id: int, subject: str, customer_name: str, at: datetime
) -> Survey:
    """The case's survey, valid 14 days from ``at``.

    A case resolved again after a reopen keeps its link; an unanswered one gets 14 more days and
    is sent again, since the customer is asked again about the same problem. A message of an
    earlier offer still in the outbox is turned down by the outbox, so one message asks them. The
    runner sends the link (``responses.survey_links``).

    Two people resolving the case at once make one survey: the insert skips a survey the other
    stored meanwhile (one per case), and this offer is theirs.
    """
    survey = get_case_survey(session, case_id=case_id, brand_id=brand_id)
    if survey is None:
        inserted = session.scalar(
            _insert_ignoring_conflicts(session)
            .values(
                brand_id=brand_id,
                case_id=case_id,
                token=new_token(),
                subject=subject,
                first_name=first_name(customer_name),
                offered_at=at,
                expires_at=at + VALID_FOR,
            )
            .returning(Survey.id)
        )
        survey = get_case_survey(session, case_id=case_id, brand_id=brand_id)
        assert survey is not None, f"case {case_id}: the survey was neither stored nor found"
        if inserted is None:  # the other resolution's offer, made a moment ago
            return survey
    elif survey.answered_at is None:
        # a new offer, whose link is a new message: one of the earlier offer's still in the outbox
        # is no longer the survey's link, so the outbox turns it down (``void_link_reason``)
        survey.offered_at = at
        survey.expires_at = at + VALID_FOR
        survey.delivery = None  # reopened and resolved again: the customer is asked again, once
        survey.reply_id = None
    session.flush()
    return survey


def claim_for_sending(session: Session, *, survey_id: int) -> Survey | None:
    """Take an offer whose link is not sent yet and not answered, for the outbox; None when another
    runner took it first (of two, only the one whose update changes the row sends the link)."""
    claimed = session.execute(
        update(Survey)
        .where(Survey.id == survey_id, Survey.delivery.is_(None), Survey.answered_at.is_(None))
        .values(delivery=SurveyDelivery.QUEUED)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        return None
    survey = session.get(Survey, survey_id)
    assert survey is not None
    session.refresh(survey)
    return survey


def record_link_queued(survey: Survey, *, reply_id: int) -> None:
    """The claimed offer's link is the outbox's message ``reply_id``."""
    survey.reply_id = reply_id


def record_unreachable(survey: Survey) -> None:
    """The claimed offer's link has no way to the customer: it stays on the case page for the agent."""
    survey.delivery = SurveyDelivery.UNREACHABLE


def _insert_ignoring_conflicts(session: Session) -> Insert:
    """INSERT ... ON CONFLICT (case_id) DO NOTHING in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Survey).on_conflict_do_nothing(index_elements=["case_id"])
    if dialect == "sqlite":
        return sqlite.insert(Survey).on_conflict_do_nothing(index_elements=["case_id"])
    raise NotImplementedError(f"surveys support SQLite and PostgreSQL, not {dialect}")


#: The outbox (``responses.models.Reply``), by its table's name: the responses package builds on
#: this one (it queues the links), so it may not be imported here. Read only: the outbox's own
#: writer turns a withdrawn offer's message down (``responses.outbox_actions.withdraw_void_survey_links``).
_REPLY = table("reply", column("id"), column("status"))
#: ``ReplyStatus`` values of a message still to go out (queued, or retrying), one a person may
#: retry (failed) or one waiting to be posted by hand (to_post): as ``responses.queries.UNSENT_LINKS``.
_UNSENT_REPLY = ("queued", "failed", "to_post")


def withdraw_survey_offer(session: Session, *, survey: Survey) -> bool:
    """Take back the survey's current offer where its link has not reached the customer yet.

    A link not queued yet is not queued any more; a message with the link still in the outbox
    (waiting, retrying after a failure, or failed) is marked withdrawn here, and the outbox turns
    it down before it would send it, saying why (``surveys.values.void_link_reason``). A message
    already sent stays sent. True when something was taken back.

    Called when the case is reopened (nobody is asked whether an open case was fixed), resolved
    again (``offer_survey``: one message per problem) or resolved again as spam or a duplicate.
    """
    if survey.delivery is None:
        survey.delivery = SurveyDelivery.WITHDRAWN
        return True
    if survey.delivery is not SurveyDelivery.QUEUED or survey.reply_id is None:
        return False
    unsent = session.scalar(
        select(_REPLY.c.id).where(_REPLY.c.id == survey.reply_id, _REPLY.c.status.in_(_UNSENT_REPLY))
    )
    if unsent is None:
        return False
    survey.delivery = SurveyDelivery.WITHDRAWN
    return True


def withdraw_case_survey(session: Session, *, brand_id: int, case_id: int) -> bool:
    """``withdraw_survey_offer`` for the case's survey, if it has one."""
    survey = get_case_survey(session, case_id=case_id, brand_id=brand_id)
    if survey is None:
        return False
    return withdraw_survey_offer(session, survey=survey)


#: The case a survey asks about, by its table's name (the cases package builds on this one), and
#: the statuses (``CaseStatus``) in which it is done: a reopened case's link asks nothing.
_CASE = table("case", column("id"), column("status"))
_DONE = ("resolved", "closed")


def is_case_done(session: Session, *, survey: Survey) -> bool:
    """Whether the survey's case is resolved or closed, as it must be for its question to stand."""
    status = session.scalar(select(_CASE.c.status).where(_CASE.c.id == survey.case_id))
    return str(getattr(status, "value", status)) in _DONE


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
    if not is_case_done(session, survey=survey):
        return AnswerOutcome.PAUSED
    chosen = parse_score(score)
    text = comment_text(comment)
    if chosen is None:
        return AnswerOutcome.INVALID
    if len(text) > COMMENT_MAX_CHARS:
        return AnswerOutcome.TOO_LONG
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


def ensure_may_set_closing(session: Session, *, brand_id: int, user: User | None) -> None:
    """Managers and admins change how the brand closes the loop (Forbidden for anyone else)."""
    role = get_role(session, user=user, brand_id=brand_id) if user is not None else None
    if role not in SETTING_ROLES:
        who = user.name if user is not None else "a token acting for no one"
        raise Forbidden(
            f"{who} may not change the reopen window or the survey message: managers and admins do"
        )


def set_closing_settings(
    session: Session,
    *,
    brand: Brand,
    actor_id: int | None,
    reopen_window_days: int | None = None,
    survey_message: str | Literal[Keep.KEEP] | None = Keep.KEEP,
) -> None:
    """Change how the brand closes the loop: its reopen window and the wording of its survey message.

    The writer of ``brand.reopen_window_days``. ``survey_message`` None (or blank) goes back to the
    default wording; left out, it stays. Callers check who may (``ensure_may_set_closing``; the
    command line is the operator's). InvalidInput names the field that is wrong; nothing changes then.
    """
    try:
        days = check_reopen_window(reopen_window_days) if reopen_window_days is not None else None
        wording = (
            check_message(survey_message)
            if isinstance(survey_message, str) and survey_message.strip()
            else None
        )
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    changed: dict[str, object] = {}
    if days is not None:
        brand.reopen_window_days = days
        changed["reopen_window_days"] = days
    if survey_message is not Keep.KEEP:
        row = session.scalar(select(SurveySetting).where(SurveySetting.brand_id == brand.id))
        if wording is None and row is not None:
            session.delete(row)
        elif wording is not None and row is None:
            session.add(SurveySetting(brand_id=brand.id, message=wording))
        elif wording is not None and row is not None:
            row.message = wording
        changed["survey_message"] = "default" if wording is None else "custom"
    session.flush()
    record_event(
        session,
        brand_id=brand.id,
        kind=EventKind.CLOSING_SETTINGS_CHANGED,
        subject_type="brand",
        subject_id=brand.id,
        actor_id=actor_id,
        data=changed,
    )
