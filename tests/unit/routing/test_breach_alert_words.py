"""An SLA breach alert says when the case was due as the brand's people read the time."""

from __future__ import annotations

from datetime import UTC, datetime

from ombuds.cases.models import Case, Priority
from ombuds.routing.sla import Target
from ombuds.routing.sla_alerts import breach_payload


def test_the_alert_gives_the_due_moment_on_the_brand_s_clock_and_the_exact_one_in_its_fields() -> None:
    case = Case(id=42, brand_id=1, priority=Priority.HIGH)
    due = datetime(2026, 12, 3, 14, 21, tzinfo=UTC)
    payload = breach_payload(
        case, target=Target.FIRST_RESPONSE, due=due, team_name="Care", timezone="America/New_York"
    )
    assert "due Thu 03 Dec 2026 09:21 EST · priority High · team Care" in payload["text"]
    assert payload["case"]["due_at"] == "2026-12-03T14:21:00+00:00"
