"""The demo airline's marketing promises, so the scorecard scores live mentions from the first minute."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.promises.actions import import_promises
from ombuds.promises.files import PromiseEntry


def demo_promises(*, now: datetime) -> list[PromiseEntry]:
    """The punctuality campaign launched two days ago, just before the mocked post; the rest long before."""
    launched = now - timedelta(days=2)
    running = now - timedelta(days=30)
    return [
        PromiseEntry(
            "on-time",
            "Our flights leave and arrive on time",
            campaign="On time, every time",
            owner="Operations",
            starts_at=launched,
        ),
        PromiseEntry(
            "bags",
            "Your bags arrive with you, undamaged",
            campaign="Travel light",
            owner="Baggage",
            starts_at=running,
        ),
        PromiseEntry(
            "crew",
            "Our crews treat you like family",
            campaign="Like family",
            owner="Cabin",
            starts_at=running,
        ),
        PromiseEntry(
            "support",
            "Our support answers you within minutes",
            campaign="Always there",
            owner="Customer Care",
            starts_at=running,
        ),
        PromiseEntry(
            "booking", "Booking and changing a trip online is easy", owner="Digital", starts_at=running
        ),
    ]


def seed_promises(session: Session, *, brand: Brand, now: datetime) -> int:
    """Register the promises before the mentions arrive; the pipeline then matches every one."""
    created, _ = import_promises(session, brand=brand, entries=demo_promises(now=now))
    return created
