"""The demo brand's SLA policy: a desk open long days in New York, closed on public holidays,
with targets a real airline desk keeps, so only the neglected cases show as breached."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, User
from ombuds.accounts.queries import get_user_by_email
from ombuds.cases.lifecycle import Actor
from ombuds.routing.sla_actions import set_sla_policy
from ombuds.routing.sla_config import Escalation, SlaConfig

ADMIN_EMAIL = "admin@larkspur.example"
WEEKDAY_HOURS = ["07:00-21:00"]
WEEKEND_HOURS = ["09:00-17:00"]

POLICY = SlaConfig(
    timezone="America/New_York",
    hours={
        **dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), WEEKDAY_HOURS),
        "sat": WEEKEND_HOURS,
        "sun": WEEKEND_HOURS,
    },
    holidays=["2026-12-25", "2027-01-01", "2027-05-31", "2027-07-05", "2027-11-25"],
    targets={
        "first_response": {"urgent": 60, "high": 480, "normal": 1680, "low": 3360},
        "next_response": {"urgent": 120, "high": 480, "normal": 1440, "low": 2880},
        "resolution": {"urgent": 960, "high": 2880, "normal": 7200, "low": 14400},
    },
    channel_targets={"chat": {"first_response": {"urgent": 15, "high": 30, "normal": 60, "low": 120}}},
    near_breach_percent=80,
)


def seed_sla_policy(session: Session, *, brand: Brand) -> None:
    """Set the brand's policy before any mention is routed, so every deadline follows it."""
    admin = get_user_by_email(session, ADMIN_EMAIL)
    assert isinstance(admin, User), f"the demo seeds {ADMIN_EMAIL} first"
    set_sla_policy(session, brand_id=brand.id, config=POLICY, escalation=Escalation(), actor=Actor(admin))
