"""The weekly digest on its schedule: ``ombuds serve`` sends each brand's once a week.

The writer of ``digest_schedule``. A send claims its week with a conditional UPDATE in the same
transaction that sends the email: a second runner's claim waits on the row and then finds the week
taken, and a failed send rolls the claim back. The failure is then recorded on the row in a
transaction of its own, with the time of the next attempt: 1, 2, 4 … minutes later, up to an hour
(``schedule.retry_delay``), so a server that is down is not hammered every round and the log
says it once per attempt. A sent digest clears the failures.
"""

from __future__ import annotations

import logging
import random
import smtplib
from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.clock import as_utc, utcnow
from ombuds.db import transaction
from ombuds.errors import InvalidInput
from ombuds.event_payloads import EventKind
from ombuds.events import record_event
from ombuds.metrics.digest import weekly_digest
from ombuds.metrics.mail import digest_readers, send_digest, smtp_failure
from ombuds.metrics.models import DigestSchedule
from ombuds.metrics.schedule import WEEK, check_hour, check_recipients, due_week, retry_delay
from ombuds.routing.queries import brand_timezone
from ombuds.settings import Settings

logger = logging.getLogger(__name__)


def set_digest_schedule(
    session: Session,
    *,
    brand: Brand,
    weekday: int,
    hour: int,
    recipients: Sequence[str],
    actor_id: int | None = None,
) -> DigestSchedule:
    """Send the brand's digest every week at ``weekday`` (0 Monday) and ``hour``, its local time,
    to ``recipients`` (none: the brand's admins and managers).

    A change also lifts the wait after failed sends: whatever was fixed is tried the next round.
    """
    if not 0 <= weekday <= 6:
        raise InvalidInput(f"day: 0 (Monday) to 6 (Sunday), not {weekday}")
    try:
        check_hour(hour)
        addresses = check_recipients(recipients)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    schedule = session.get(DigestSchedule, brand.id)
    if schedule is None:
        # a new schedule starts with its next send moment, not with a catch-up for this week
        passed = due_week(utcnow(), timezone=brand_timezone(session, brand.id), weekday=weekday, hour=hour)
        schedule = DigestSchedule(brand_id=brand.id, last_week=passed)
    schedule.weekday, schedule.hour, schedule.recipients = weekday, hour, addresses
    schedule.next_attempt_at = None
    schedule.updated_at = utcnow()
    session.add(schedule)
    session.flush()
    record_event(
        session,
        brand_id=brand.id,
        kind=EventKind.DIGEST_SCHEDULED,
        subject_type="brand",
        subject_id=brand.id,
        actor_id=actor_id,
        data={"weekday": weekday, "hour": hour, "recipients": addresses},
    )
    return schedule


def remove_digest_schedule(session: Session, *, brand: Brand, actor_id: int | None = None) -> bool:
    """Stop sending the brand's digest; False when it had no schedule."""
    schedule = session.get(DigestSchedule, brand.id)
    if schedule is None:
        return False
    session.delete(schedule)
    record_event(
        session,
        brand_id=brand.id,
        kind=EventKind.DIGEST_UNSCHEDULED,
        subject_type="brand",
        subject_id=brand.id,
        actor_id=actor_id,
        data={},
    )
    session.flush()
    return True


def get_digest_schedule(session: Session, brand_id: int) -> DigestSchedule | None:
    return session.get(DigestSchedule, brand_id)


def _is_due(schedule: DigestSchedule, week: date | None, moment: datetime) -> bool:
    return (
        week is not None
        and (schedule.last_week is None or schedule.last_week < week)
        and (schedule.next_attempt_at is None or as_utc(schedule.next_attempt_at) <= moment)
    )


def send_due_digests(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    now: datetime | None = None,
    rng: Callable[[], float] = random.random,
) -> list[int]:
    """Send every brand's digest whose hour this week has come, that has not gone out this week and
    whose wait after a failed send is over; the ids of the brands sent to. A failure (SMTP down) is
    recorded on the brand's schedule with the time of the next attempt."""
    moment = now or utcnow()
    with factory() as session:
        due = []
        for schedule in session.scalars(select(DigestSchedule).order_by(DigestSchedule.brand_id)):
            timezone = brand_timezone(session, schedule.brand_id)
            week = due_week(moment, timezone=timezone, weekday=schedule.weekday, hour=schedule.hour)
            if week is not None and _is_due(schedule, week, moment):
                due.append((schedule.brand_id, week))
    sent = []
    for brand_id, week in due:
        try:
            if _send(factory, brand_id=brand_id, week=week, moment=moment, settings=settings):
                sent.append(brand_id)
        except (smtplib.SMTPException, OSError) as exc:
            _record_failure(
                factory,
                brand_id=brand_id,
                week=week,
                moment=moment,
                error=smtp_failure(exc, settings=settings),
                rng=rng,
            )
    return sent


def _send(
    factory: sessionmaker[Session], *, brand_id: int, week: date, moment: datetime, settings: Settings
) -> bool:
    """Claim the week and send its digest in one transaction; False when there was nothing to send."""
    with transaction(factory) as session:
        claimed = session.execute(
            update(DigestSchedule)
            .where(
                DigestSchedule.brand_id == brand_id,
                or_(DigestSchedule.last_week.is_(None), DigestSchedule.last_week < week),
                or_(DigestSchedule.next_attempt_at.is_(None), DigestSchedule.next_attempt_at <= moment),
            )
            .values(
                last_week=week,
                last_sent_at=moment,
                failures=0,
                last_error=None,
                last_failed_at=None,
                next_attempt_at=None,
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]  # another runner sent it
            return False
        schedule = session.get(DigestSchedule, brand_id)
        brand = session.get(Brand, brand_id)
        if schedule is None or brand is None:
            return False
        readers = list(schedule.recipients) or digest_readers(session, brand)
        if not readers:
            logger.warning("brand %s: no recipients for the weekly digest; none sent", brand.slug)
            return False  # the week stays claimed: nobody to send it to this week
        # the week sent in is the one after the week it tells of
        digest = weekly_digest(session, brand=brand, week=week - WEEK)
        send_digest(digest, to=readers, settings=settings)
        return True


def _record_failure(
    factory: sessionmaker[Session],
    *,
    brand_id: int,
    week: date,
    moment: datetime,
    error: str,
    rng: Callable[[], float],
) -> None:
    with transaction(factory) as session:
        schedule = session.get(DigestSchedule, brand_id, with_for_update=True)
        if schedule is None or (schedule.last_week is not None and schedule.last_week >= week):
            return  # another runner sent it meanwhile
        schedule.failures += 1
        schedule.last_error = error
        schedule.last_failed_at = moment
        schedule.next_attempt_at = moment + retry_delay(schedule.failures, rng=rng)
        logger.warning(
            "brand %s: the weekly digest of %s could not be sent (attempt %d): %s; next attempt at %s",
            brand_id,
            week - WEEK,
            schedule.failures,
            error,
            f"{schedule.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC",
        )
