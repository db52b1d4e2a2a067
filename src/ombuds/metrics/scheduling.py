"""The weekly digest on its schedule: ``ombuds serve`` sends each brand's once a week.

The writer of ``digest_schedule``. A send claims its week with a conditional UPDATE in the same
transaction that sends the email: a second runner's claim waits on the row and then finds the week
taken, and a failed send rolls the claim back so the next round tries again.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.clock import utcnow
from ombuds.db import transaction
from ombuds.errors import InvalidInput
from ombuds.metrics.digest import weekly_digest
from ombuds.metrics.mail import digest_readers, send_digest
from ombuds.metrics.models import DigestSchedule
from ombuds.metrics.schedule import check_hour, due_week
from ombuds.routing.models import SlaPolicySetting
from ombuds.settings import Settings

logger = logging.getLogger(__name__)


def set_digest_schedule(
    session: Session, *, brand: Brand, weekday: int, hour: int, recipients: Sequence[str]
) -> DigestSchedule:
    """Send the brand's digest every week at ``weekday`` (0 Monday) and ``hour``, its local time."""
    if not 0 <= weekday <= 6:
        raise InvalidInput(f"day: 0 (Monday) to 6 (Sunday), not {weekday}")
    try:
        check_hour(hour)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    bad = [address for address in recipients if "@" not in address]
    if bad:
        raise InvalidInput(f"to: not an email address: {', '.join(bad)}")
    schedule = session.get(DigestSchedule, brand.id)
    if schedule is None:
        # a new schedule starts with its next send moment, not with a catch-up for this week
        passed = due_week(utcnow(), timezone=_timezone(session, brand.id), weekday=weekday, hour=hour)
        schedule = DigestSchedule(brand_id=brand.id, last_week=passed)
    schedule.weekday, schedule.hour, schedule.recipients = weekday, hour, list(recipients)
    schedule.updated_at = utcnow()
    session.add(schedule)
    session.flush()
    return schedule


def _timezone(session: Session, brand_id: int) -> str:
    """The brand's time zone: its SLA policy's (business hours), UTC without one."""
    found = session.scalar(select(SlaPolicySetting.timezone).where(SlaPolicySetting.brand_id == brand_id))
    return found or "UTC"


def send_due_digests(
    factory: sessionmaker[Session], *, settings: Settings, now: datetime | None = None
) -> list[int]:
    """Send every brand's digest whose hour this week has come and that has not gone out this week;
    the ids of the brands sent to. One brand's failure (SMTP down) is logged and tried next round."""
    moment = now or utcnow()
    with factory() as session:
        due = [
            (schedule.brand_id, week)
            for schedule in session.scalars(select(DigestSchedule).order_by(DigestSchedule.brand_id))
            if (
                week := due_week(
                    moment,
                    timezone=_timezone(session, schedule.brand_id),
                    weekday=schedule.weekday,
                    hour=schedule.hour,
                )
            )
            is not None
            and (schedule.last_week is None or schedule.last_week < week)
        ]
    sent = []
    for brand_id, week in due:
        try:
            with transaction(factory) as session:
                claimed = session.execute(
                    update(DigestSchedule)
                    .where(
                        DigestSchedule.brand_id == brand_id,
                        or_(DigestSchedule.last_week.is_(None), DigestSchedule.last_week < week),
                    )
                    .values(last_week=week, last_sent_at=moment)
                )
                if claimed.rowcount != 1:  # type: ignore[attr-defined]  # another runner sent it
                    continue
                schedule = session.get(DigestSchedule, brand_id)
                brand = session.get(Brand, brand_id)
                if schedule is None or brand is None:
                    continue
                readers = list(schedule.recipients) or digest_readers(session, brand)
                if not readers:
                    logger.warning("brand %s: no recipients for the weekly digest; none sent", brand.slug)
                    continue  # the week stays claimed: nobody to send it to this week
                send_digest(weekly_digest(session, brand=brand, now=moment), to=readers, settings=settings)
                sent.append(brand_id)
        except (smtplib.SMTPException, OSError):
            logger.exception(
                "brand %s: the weekly digest could not be sent; trying again next round", brand_id
            )
    return sent
