"""A closed case stays closed: the customer's next message starts a new case.

Closing is the desk's last word on a case; a message within the reopen window reopens a *resolved*
case only.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.cases.actions import set_case_status
from ombuds.cases.models import Case, CaseStatus
from tests.integration.test_surveys_and_outcomes import NOW, conversation, resolve, write


def test_a_message_after_a_close_starts_a_new_case(session: Session, brand: Brand) -> None:
    closed = conversation(session, brand, at=NOW - timedelta(days=2))
    resolve(session, closed, at=NOW - timedelta(days=1, hours=12))
    set_case_status(session, case=closed, status=CaseStatus.CLOSED, at=NOW - timedelta(days=1))
    session.commit()

    again = write(session, brand, text="The bag came back damaged", at=NOW - timedelta(hours=1))

    assert again.case_id != closed.id
    session.refresh(closed)
    assert (closed.status, closed.reopened) == (CaseStatus.CLOSED, 0)
    assert session.scalar(select(func.count()).select_from(Case)) == 2
