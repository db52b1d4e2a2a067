"""The demo desk's past first replies go out in its business hours, within the case's target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.cases.models import Priority
from ombuds.demo.past_replies import REPLY_WITHIN, reply_moment, reply_text
from ombuds.demo.sla import POLICY
from ombuds.routing import sla
from ombuds.routing.business_hours import business_elapsed
from ombuds.routing.sla_config import policy_from_config

#: From Monday 30 November 2026 every 5 hours for a week: openings at every hour of the day,
#: on weekdays and at the weekend, with the desk open and closed
OPENINGS = [datetime(2026, 11, 30, 0, 17, tzinfo=UTC) + timedelta(hours=5 * step) for step in range(34)]


@pytest.mark.parametrize("priority", [Priority.URGENT, Priority.HIGH, Priority.NORMAL])
@pytest.mark.parametrize("share", REPLY_WITHIN)
def test_a_past_reply_goes_out_in_business_hours_within_target(priority: Priority, share: float) -> None:
    policy = policy_from_config(POLICY)
    for opened_at in OPENINGS:
        due = sla.first_response_due(policy, priority=priority, opened_at=opened_at)
        sent = reply_moment(policy.hours, opened_at=opened_at, due_at=due, share=share)
        assert opened_at < sent < due, f"opened {opened_at}: replied {sent}, due {due}"
        assert business_elapsed(policy.hours, sent - timedelta(minutes=1), sent) == timedelta(minutes=1), (
            f"opened {opened_at}: the reply at {sent} falls outside the desk's hours"
        )


def test_a_complaint_gets_an_apology_and_anything_else_thanks() -> None:
    assert "sorry" in reply_text("My bag never arrived in Denver", name="Ana", agent="MK")
    assert reply_text("Loved the crew on LK212!", name="Ana", agent="MK").startswith("Thanks for writing")
