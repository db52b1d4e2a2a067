"""A breached case told to people: in the app to the managers named, and on the brand's alert channels.

The channel alerts go into the incidents' outbox (``Alert`` rows with a ``case_id``) in the same
transaction as the escalation that claimed the breach, so each breach is queued once, and
``incidents.delivery`` sends them like any incident alert (webhook or email, with retries,
severity thresholds and quiet hours). No customer text goes out: the case number, the target
missed and the link say enough to act on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.cases.models import Case, Priority
from ombuds.incidents.alerts import plan_alerts
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import Alert, AlertChannel
from ombuds.notifications.actions import notify
from ombuds.routing.queries import brand_timezone
from ombuds.routing.sla import Target
from ombuds.timezones import moment_label

REASON = "sla_breached"
TARGET_WORDS = {
    Target.FIRST_RESPONSE: "first-response",
    Target.NEXT_RESPONSE: "next-response",
    Target.RESOLUTION: "resolution",
}


def breach_severity(priority: Priority) -> Severity:
    """An urgent case's breach reaches channels that only take high alerts; others count as medium."""
    return Severity.HIGH if priority is Priority.URGENT else Severity.MEDIUM


def breach_payload(
    case: Case, *, target: Target, due: datetime, team_name: str | None, timezone: str = "UTC"
) -> dict[str, Any]:
    """What each channel says: Slack-compatible ``text`` and ``blocks`` (the due moment on the brand's
    clock, as its pages show it), the plain fields (``due_at`` in UTC), and the link."""
    path = f"/cases/{case.id}"
    priority = Priority(case.priority).name.capitalize()
    headline = f"⏰ SLA breached: case #{case.id} missed its {TARGET_WORDS[target]} target"
    details = f"due {moment_label(due, timezone=timezone)} · priority {priority} · team {team_name or 'none'}"
    return {
        "text": f"{headline}\n{details}\n{path}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": details}]},
            {"type": "section", "text": {"type": "mrkdwn", "text": f"<{path}|Open the case>"}},
        ],
        "case": {
            "id": case.id,
            "target": target.value,
            "due_at": due.isoformat(),
            "priority": priority.lower(),
            "team": team_name,
            "path": path,
        },
        "path": path,
        "reason": REASON,
    }


def alert_breach(
    session: Session, *, case: Case, target: Target, due: datetime, user_ids: Iterable[int], now: datetime
) -> list[Alert]:
    """Notify ``user_ids`` in the app and queue one alert per active outside channel of the brand."""
    team = session.get(Team, case.team_id) if case.team_id is not None else None
    payload = breach_payload(
        case,
        target=target,
        due=due,
        team_name=team.name if team else None,
        timezone=brand_timezone(session, case.brand_id),
    )
    notify(
        session,
        brand_id=case.brand_id,
        user_ids=user_ids,
        kind=REASON,
        text=payload["text"].split("\n", 1)[0].removeprefix("⏰ "),
        path=payload["path"],
        now=now,
    )
    channels = session.scalars(
        select(AlertChannel).where(AlertChannel.brand_id == case.brand_id).order_by(AlertChannel.id)
    )
    severity = breach_severity(Priority(case.priority))
    alerts = [
        Alert(
            brand_id=case.brand_id,
            case_id=case.id,
            channel_id=plan.channel_id,
            kind=plan.kind,
            reason=REASON,
            severity=severity,
            status=plan.status,
            payload=payload,
            created_at=now,
            due_at=plan.due_at,
        )
        for plan in plan_alerts(severity, at=now, channels=channels)
        if plan.channel_id is not None  # the in-app part is the notification above
    ]
    session.add_all(alerts)
    session.flush()
    return alerts
