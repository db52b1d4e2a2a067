"""One round of the outbox, as the runner and ``ombuds replies send`` make it: the answers due first,
then the survey links of resolved cases, then the links just queued (and before them all, answers
left to post by hand on cases resolved as spam or duplicates since are withdrawn).

Answers go first because an answer left to post by hand opens its case again when the case was
resolved while the answer waited (``outbox_actions.hold_for_posting``): a case open again must not
be asked how we did before the customer has heard anything.
"""

from __future__ import annotations

from datetime import datetime

from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker

from ombuds.clock import utcnow
from ombuds.responses.outbox_actions import withdraw_unposted_answers_to_nobody
from ombuds.responses.sending import SendReport, deliver_due_replies
from ombuds.responses.survey_links import SurveyLinksReport, send_survey_links


def outbox_round(
    factory: sessionmaker[Session], *, public_url: str, box: Fernet | None = None, now: datetime | None = None
) -> tuple[SurveyLinksReport, SendReport]:
    """Deliver what is due, queue the survey links, deliver those; what became of each. First,
    answers left to post on cases resolved as spam or duplicates since are withdrawn."""
    with factory.begin() as session:
        withdraw_unposted_answers_to_nobody(session, at=now or utcnow())
    answers = deliver_due_replies(factory, box=box, now=now)
    surveys = send_survey_links(factory, public_url=public_url, box=box, now=now)
    links = deliver_due_replies(factory, box=box, now=now)
    both = SendReport(
        sent=answers.sent + links.sent,
        manual=answers.manual + links.manual,
        retrying=answers.retrying + links.retrying,
        failed=answers.failed + links.failed,
    )
    return surveys, both
