"""a problem's expected fix day ends at the brand's midnight, as a task's due day does

Days set before were stored as 23:59 UTC of that day, which pages now showing the brand's clock
read as the next day east of Greenwich (and re-saving the page moved it there). Each such day
becomes the end of the same day in the brand's time zone (its business hours', UTC without one).
A moment set otherwise (over the API, at another time of day) is left as it was.

Revision ID: d5e9b2f7a3c6
Revises: c2f7a9e4b8d1
Create Date: 2026-12-03 22:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'd5e9b2f7a3c6'
down_revision: str | None = 'c2f7a9e4b8d1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROBLEM = sa.table(
    'problem',
    sa.column('id', sa.Integer()),
    sa.column('brand_id', sa.Integer()),
    sa.column('expected_fix_at', ombuds.db.UtcDateTime(timezone=True)),
)
_POLICY = sa.table('sla_policy', sa.column('brand_id', sa.Integer()), sa.column('timezone', sa.String()))
_OLD_END = time(23, 59)


def _end_of_day(day: datetime, zone: str) -> datetime:
    """The next local midnight less a microsecond, in UTC (``timezones.end_of_day`` as of this revision)."""
    midnight = datetime.combine(day.date() + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))
    return midnight.astimezone(UTC) - timedelta(microseconds=1)


def _fix_days(bind: sa.Connection) -> list[tuple[int, datetime, str]]:
    """Each problem with a fix day: its id, that moment in UTC, and its brand's time zone."""
    zones = dict(bind.execute(sa.select(_POLICY.c.brand_id, _POLICY.c.timezone)).all())
    rows = bind.execute(
        sa.select(_PROBLEM.c.id, _PROBLEM.c.brand_id, _PROBLEM.c.expected_fix_at).where(
            _PROBLEM.c.expected_fix_at.is_not(None)
        )
    ).all()
    return [
        (problem_id, (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC),
         zones.get(brand_id) or 'UTC')
        for problem_id, brand_id, moment in rows
    ]


def _move(bind: sa.Connection, problem_id: int, moment: datetime) -> None:
    bind.execute(sa.update(_PROBLEM).where(_PROBLEM.c.id == problem_id).values(expected_fix_at=moment))


def upgrade() -> None:
    bind = op.get_bind()
    for problem_id, moment, zone in _fix_days(bind):
        if moment.timetz().replace(tzinfo=None) != _OLD_END:
            continue
        try:
            moved = _end_of_day(moment, zone)
        except (ValueError, OverflowError, KeyError):  # a zone or a date past what can be read
            continue
        _move(bind, problem_id, moved)


def downgrade() -> None:
    """Days go back to 23:59 UTC of the brand's day."""
    bind = op.get_bind()
    for problem_id, moment, zone in _fix_days(bind):
        try:
            local = moment.astimezone(ZoneInfo(zone))
        except (ValueError, KeyError):
            continue
        if local.time() != time.max:
            continue
        _move(bind, problem_id, datetime.combine(local.date(), _OLD_END, tzinfo=UTC))
