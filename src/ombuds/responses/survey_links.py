"""Survey links go to the customer by themselves: the runner puts each resolved case's link in the outbox.

A resolved case offers its customer a survey (``surveys.actions.offer_survey``); this round sends
the link of each offer once, worded as the brand chose, through the same outbox and sinks the
replies use (``sending.deliver_due_replies`` delivers it). A case reopened before the round comes
waits: its next resolution offers the survey again, and that offer is sent. Each survey is its own
transaction and is claimed first, so two runners or a restart never send a link twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.cases.models import Case, CaseStatus
from ombuds.clock import utcnow
from ombuds.db import transaction
from ombuds.responses import outbox_actions
from ombuds.surveys.models import Survey
from ombuds.surveys.values import SurveyDelivery

logger = logging.getLogger(__name__)

BATCH = 200


@dataclass
class SurveyLinksReport:
    queued: list[int] = field(default_factory=list)  # survey ids whose link is in the outbox
    unreachable: list[int] = field(default_factory=list)  # no way to reach the customer


def send_survey_links(
    factory: sessionmaker[Session],
    *,
    public_url: str,
    box: Fernet | None = None,
    now: datetime | None = None,
    limit: int = BATCH,
) -> SurveyLinksReport:
    """Queue the link of every survey offered and not sent yet, for cases still resolved or closed.

    ``box`` (the app's secret box) lets a mailbox source the customer wrote to carry the link.
    """
    now = now or utcnow()
    report = SurveyLinksReport()
    with factory() as session:
        due = session.scalars(
            select(Survey.id)
            .join(Case, Case.id == Survey.case_id)
            .where(
                Survey.delivery.is_(None),
                Survey.answered_at.is_(None),
                Survey.expires_at > now,
                Case.status.in_((CaseStatus.RESOLVED, CaseStatus.CLOSED)),
            )
            .order_by(Survey.offered_at, Survey.id)
            .limit(limit)
        ).all()
    for survey_id in due:
        try:
            with transaction(factory) as session:
                outcome = outbox_actions.queue_survey_link(
                    session, survey_id=survey_id, public_url=public_url, now=now, box=box
                )
        except Exception:  # one broken case must not stop the others; it is tried again next round
            logger.exception("survey %s: the link could not be queued", survey_id)
            continue
        if outcome is SurveyDelivery.QUEUED:
            report.queued.append(survey_id)
        elif outcome is SurveyDelivery.UNREACHABLE:
            report.unreachable.append(survey_id)
    return report
