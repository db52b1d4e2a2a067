"""The writer of a case's business-time durations (``routing.durations``), run after each round.

The durations need the brand's SLA policy (routing) while the first response and the resolution
are stamped by the cases package, which routing builds on; so the runner fills them in shortly
after, for every case that has the moment and not yet the duration. A reopen clears the
resolution's, and the next resolution is timed again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.cases.models import Case, CaseStatus
from ombuds.clock import as_utc
from ombuds.db import transaction
from ombuds.event_payloads import EventKind
from ombuds.events import Event
from ombuds.routing.durations import StatusChange, business_seconds
from ombuds.routing.queries import get_sla_policy

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class DurationsReport:
    timed: list[int] = field(default_factory=list)  # case ids given a duration this round


def _status_changes(session: Session, case: Case) -> list[StatusChange]:
    rows = session.execute(
        select(Event.occurred_at, Event.data).where(
            Event.brand_id == case.brand_id,
            Event.subject_type == "case",
            Event.subject_id == case.id,
            Event.kind == EventKind.CASE_STATUS_CHANGED,
        )
    ).all()
    changes = []
    for at, data in rows:
        try:
            changes.append(StatusChange(at=as_utc(at), status=CaseStatus(data["to"])))
        except (KeyError, TypeError, ValueError):
            logger.warning("case %s: a status change without a readable status is left out", case.id)
    return changes


def time_case(session: Session, *, case: Case) -> bool:
    """Fill in the durations the case has the moments for; False when there was nothing to do."""
    wants_first = case.first_responded_at is not None and case.first_response_business_seconds is None
    wants_resolution = (
        case.resolved_at is not None
        and case.resolution_business_seconds is None
        and case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    )
    if not (wants_first or wants_resolution):
        return False
    hours = get_sla_policy(session, case.brand_id).hours
    changes = _status_changes(session, case)
    opened_at = as_utc(case.opened_at)
    if wants_first and case.first_responded_at is not None:
        case.first_response_business_seconds = business_seconds(
            hours, opened_at=opened_at, end=as_utc(case.first_responded_at), changes=changes
        )
    if wants_resolution and case.resolved_at is not None:
        case.resolution_business_seconds = business_seconds(
            hours, opened_at=opened_at, end=as_utc(case.resolved_at), changes=changes
        )
    return True


def record_business_durations(factory: sessionmaker[Session], *, limit: int = BATCH) -> DurationsReport:
    """Time every case whose first response or resolution has no business duration yet."""
    report = DurationsReport()
    with factory() as session:
        due = session.scalars(
            select(Case.id)
            .where(
                or_(
                    and_(
                        Case.first_responded_at.is_not(None), Case.first_response_business_seconds.is_(None)
                    ),
                    and_(
                        Case.resolved_at.is_not(None),
                        Case.resolution_business_seconds.is_(None),
                        Case.status.in_((CaseStatus.RESOLVED, CaseStatus.CLOSED)),
                    ),
                )
            )
            .order_by(Case.id)
            .limit(limit)
        ).all()
    for case_id in due:
        try:
            with transaction(factory) as session:
                case = session.get(Case, case_id)
                if case is not None and time_case(session, case=case):
                    report.timed.append(case_id)
        except Exception:  # one broken case must not stop the others; it is tried again next round
            logger.exception("case %s: business durations could not be computed", case_id)
    return report
